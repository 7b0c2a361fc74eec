//! [`IdentityCommunity`] (py-ipv8's `ipv8/attestation/identity/community.py`): its state
//! (`identity_community`), message handlers (`handlers`), the authority's signing rules (`sign`)
//! and the requests applications make of it (`requests`).

mod bounded;
mod handlers;
mod identity_community;
mod requests;
mod sign;

pub use identity_community::{
    COMMUNITY_ID, IdentityCommunity, IdentityEvent, MAX_KNOWN_HASHES, MAX_PERMISSIONS,
    MAX_PSEUDONYMS, SIGN_WINDOW,
};
pub use requests::{
    AddKnownHash, AttributeName, CredentialInfo, Credentials, ExtraMetadata, RemoveMine,
    RequestAdvertisement, SelfAdvertise,
};
