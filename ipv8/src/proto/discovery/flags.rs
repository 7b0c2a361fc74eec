//! Flag bytes of the introduction messages (spec §4.1–4.4).

/// Introduction-request (246/234): the requester supports the new-style messages.
pub(crate) const REQUEST_SUPPORTS_NEW_STYLE: u8 = 0x20;
/// Introduction-request: "advice wanted"; py-ipv8 always sends it and ignores it on receipt.
pub(crate) const REQUEST_ADVICE: u8 = 0x01;
/// Introduction-response 245: the responder supports the new-style messages.
pub(crate) const RESPONSE_SUPPORTS_NEW_STYLE: u8 = 0x10;
/// Introduction-response 245: the introduced peer supports the new-style messages.
pub(crate) const RESPONSE_INTRO_NEW_STYLE: u8 = 0x08;
/// Introduction-response 245: the responder has as many peers as it wants.
pub(crate) const RESPONSE_PEER_LIMIT_REACHED: u8 = 0x04;
/// Introduction-response 233: the introduced peer supports the new-style messages.
pub(crate) const NEW_RESPONSE_INTRO_NEW_STYLE: u8 = 0x80;
