//! Introductions and punctures (spec §4.1–4.7), spoken by every community: what a peer sends when
//! it walks to an address, and how it answers requests, responses and puncture-requests.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use super::Timed;
use super::flags::{
    NEW_RESPONSE_INTRO_NEW_STYLE, REQUEST_ADVICE, REQUEST_SUPPORTS_NEW_STYLE,
    RESPONSE_INTRO_NEW_STYLE, RESPONSE_PEER_LIMIT_REACHED, RESPONSE_SUPPORTS_NEW_STYLE,
};
use crate::messages::{
    IntroductionRequestPayload, IntroductionResponsePayload, NewIntroductionRequestPayload,
    NewIntroductionResponsePayload, NewPuncturePayload, NewPunctureRequestPayload, PuncturePayload,
    PunctureRequestPayload,
};
use crate::proto::host::Local;
use crate::proto::packet::{self, Incoming, PREFIX_LEN};
use crate::proto::shared::Shared;
use crate::proto::{CommunityId, DropReason, Peer, Walkable};
use crate::wire::Message;

/// The drop label of a packet signed with our own key from another address.
const OWN_KEY_ELSEWHERE: &str = "own_key_elsewhere";

/// The message ids of the discovery messages every community handles itself.
pub(crate) const CORE_IDS: [u8; 8] = [231, 232, 233, 234, 245, 246, 249, 250];

/// An introduction-request as a community sees it (old and new style alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionRequest {
    /// Where the requester sent it (our address as it sees us).
    pub destination_address: SocketAddr,
    /// The requester's own LAN address.
    pub source_lan_address: SocketAddr,
    /// The requester's WAN address (new style: its preferred address).
    pub source_wan_address: SocketAddr,
    /// The request's identifier, echoed by the response.
    pub identifier: u16,
    /// Piggybacked bytes.
    pub extra_bytes: Vec<u8>,
}

/// An introduction-response as a community sees it (old and new style alike).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntroductionResponse {
    /// Our address as the responder saw it.
    pub destination_address: SocketAddr,
    /// The introduced peer's LAN address, or unspecified.
    pub lan_introduction_address: SocketAddr,
    /// The introduced peer's WAN address, or unspecified.
    pub wan_introduction_address: SocketAddr,
    /// The identifier of the request it answers.
    pub identifier: u16,
    /// Piggybacked bytes.
    pub extra_bytes: Vec<u8>,
}

/// What a handled discovery message means for the community's hooks.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Nothing for the community.
    Nothing,
    /// A peer asked for an introduction.
    Request(Peer, IntroductionRequest),
    /// A peer answered our request.
    Response(Peer, IntroductionResponse),
}

/// What an introduction-response says beyond the request it answers.
struct Response {
    to: SocketAddr,
    lan_intro: SocketAddr,
    wan_intro: SocketAddr,
    intro_new_style: bool,
    limit_reached: bool,
}

/// One community's view of the node while it handles discovery: it speaks under `prefix` with
/// the key (and introduction extra bytes) of `local`.
pub(crate) struct Core<'a> {
    pub(crate) shared: &'a mut Shared,
    pub(crate) local: &'a Local,
    pub(crate) community_id: CommunityId,
    pub(crate) prefix: [u8; PREFIX_LEN],
    pub(crate) max_peers: usize,
    /// Whether the sender of the message being handled was known before it (see
    /// [`Core::is_known`]).
    pub(super) introducer_known: bool,
}

/// The discovery messages of one community (introductions and punctures), spoken with a
/// community's key; from [`Context::discovery`](crate::proto::Context::discovery) or
/// [`Context::discovery_as`](crate::proto::Context::discovery_as).
pub struct Discovery<'a> {
    pub(crate) core: Core<'a>,
}

impl Discovery<'_> {
    /// Sends an introduction-request to `address` (py-ipv8's `walk_to`); returns its identifier,
    /// which the response echoes.
    pub fn walk_to(&mut self, address: SocketAddr) -> u16 {
        self.core.walk_to(address)
    }

    /// Handles a discovery message (ids 231–234, 245, 246, 249, 250) as every community does:
    /// checks it, verifies the sender, answers it (a response, puncture-requests, punctures) and
    /// says what it meant.
    pub fn handle(&mut self, incoming: &Incoming<'_>) -> Result<Outcome, DropReason> {
        self.core.handle(incoming)
    }

    /// Asks the peer at `to` to puncture a hole toward a walker known by its `lan_walker` and
    /// `wan_walker` addresses (py-ipv8's `create_puncture_request` sent straight to the endpoint,
    /// as the DHT does for a node it introduces). The old IPv4-only form is used when both
    /// addresses are IPv4.
    pub fn send_puncture_request(
        &mut self,
        to: SocketAddr,
        lan_walker: SocketAddr,
        wan_walker: SocketAddr,
        identifier: u16,
    ) {
        self.core.send_puncture_request(to, lan_walker, wan_walker, identifier, false);
    }
}

const UNSPECIFIED_V4: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);

pub(super) fn v4(address: Option<SocketAddr>) -> SocketAddrV4 {
    match address {
        Some(SocketAddr::V4(v4)) => v4,
        _ => UNSPECIFIED_V4,
    }
}

fn unspecified() -> SocketAddr {
    SocketAddr::V4(UNSPECIFIED_V4)
}

fn is_unspecified(address: SocketAddr) -> bool {
    address.ip().is_unspecified() || address.port() == 0
}

/// Private IPv4 ranges py-ipv8 will not adopt as its WAN address (10/8, 172.16/12, 192.168/16).
fn is_private_v4(address: SocketAddr) -> bool {
    matches!(address, SocketAddr::V4(v4) if v4.ip().is_private())
}

impl<'a> Core<'a> {
    pub(crate) fn new(shared: &'a mut Shared, local: &'a Local, max_peers: usize) -> Self {
        Self {
            shared,
            local,
            community_id: local.id,
            prefix: local.prefix,
            max_peers,
            introducer_known: false,
        }
    }

    pub(super) fn lan(&self) -> Option<SocketAddr> {
        self.shared.addresses.lan
    }

    pub(super) fn wan(&self) -> Option<SocketAddr> {
        self.shared.addresses.wan_or_lan()
    }

    fn extra_bytes(&self) -> Vec<u8> {
        self.local.extra_bytes.clone()
    }

    pub(super) fn claim(&mut self) -> u64 {
        self.shared.global_time += 1;
        self.shared.global_time
    }

    pub(super) fn send_signed_at<P: Message>(
        &mut self,
        to: SocketAddr,
        global_time: u64,
        payload: P,
    ) {
        let message = Timed { global_time, payload };
        let key_bin = self.local.public_key.to_bin();
        let signature_len = self.local.key.curve().signature_len();
        match packet::to_sign(&self.prefix, key_bin, signature_len, &message) {
            Ok(bytes) => self.shared.transmit_signed(to, bytes, &self.local.key),
            Err(_) => self.shared.stats.send_failed("encode"),
        }
    }

    fn send_unsigned<P: Message>(&mut self, to: SocketAddr, payload: P) {
        let global_time = self.claim();
        self.send_unsigned_at(to, global_time, payload);
    }

    pub(super) fn send_unsigned_at<P: Message>(
        &mut self,
        to: SocketAddr,
        global_time: u64,
        payload: P,
    ) {
        let message = Timed { global_time, payload };
        match packet::unsigned(&self.prefix, &message) {
            Ok(bytes) => self.shared.transmit(to, bytes),
            Err(_) => self.shared.stats.send_failed("encode"),
        }
    }

    /// Whether `address` (a walkable address or a known peer) speaks the new-style messages.
    fn is_new_style(&self, address: SocketAddr) -> bool {
        address.is_ipv6()
            || self.shared.network.walkable(address).is_some_and(|w| w.new_style)
            || self
                .shared
                .network
                .peer_at(address)
                .and_then(|p| self.shared.network.get(p.key()))
                .is_some_and(|e| e.new_style)
    }

    /// Sends an introduction-request to `address` (py-ipv8's `walk_to`).
    /// Returns the request's identifier, which its response echoes.
    pub(crate) fn walk_to(&mut self, address: SocketAddr) -> u16 {
        self.shared.stats.walks += 1;
        let (identifier, bytes) = self.introduction_request(address);
        match bytes {
            Some(bytes) => self.shared.transmit_signed(address, bytes, &self.local.key),
            None => self.shared.stats.send_failed("encode"),
        }
        identifier
    }

    /// An introduction-request to `address`, framed for signing ([`packet::to_sign`]), with its
    /// identifier; `None` if it does not encode.
    fn introduction_request(&mut self, address: SocketAddr) -> (u16, Option<Vec<u8>>) {
        let claimed = self.claim();
        let identifier = (claimed % 65_536) as u16;
        let global_time = u64::from(identifier);
        let key_bin = self.local.public_key.to_bin();
        let signature_len = self.local.key.curve().signature_len();
        let bytes = if self.is_new_style(address) {
            let payload = NewIntroductionRequestPayload {
                destination_address: address,
                source_lan_address: self.lan().unwrap_or_else(unspecified),
                source_wan_address: self.lan().unwrap_or_else(unspecified),
                identifier,
                flags: 0,
                extra_bytes: self.extra_bytes(),
            };
            let message = Timed { global_time, payload };
            packet::to_sign(&self.prefix, key_bin, signature_len, &message)
        } else {
            let payload = IntroductionRequestPayload {
                destination_address: v4(Some(address)),
                source_lan_address: v4(self.lan()),
                source_wan_address: v4(self.wan()),
                flags: REQUEST_ADVICE,
                identifier,
                extra_bytes: self.extra_bytes(),
            };
            let message = Timed { global_time, payload };
            packet::to_sign(&self.prefix, key_bin, signature_len, &message)
        };
        (identifier, bytes.ok())
    }

    /// Whether `address` is a bootstrap server or a peer we knew before the current message: only
    /// their introductions start birthday punching tries, so that a stranger's one datagram
    /// cannot make this node spray a victim.
    fn is_known(&self, address: SocketAddr) -> bool {
        self.shared.network.is_blacklisted(address)
            || self.shared.network.peer_at(address).is_some()
    }

    /// With birthday punching on, prepares a try at `peer` (on another network, just
    /// introduced by a known introducer): a signed introduction-request to it, sent to it at
    /// once, and from many sockets and to many ports if the peer stays silent (see
    /// [`super::birthday`]).
    fn expect_birthday(&mut self, peer: SocketAddr) {
        let now = self.shared.now;
        let wanted = self.shared.birthday.as_mut().is_some_and(|b| b.wants(now, peer));
        if !wanted
            || !self.introducer_known
            || is_unspecified(peer)
            || self.shared.network.is_blacklisted(peer)
            || self.shared.network.peers().any(|e| e.peer.address().ip() == peer.ip())
        {
            return;
        }
        let Some(mut probe) = self.introduction_request(peer).1 else { return };
        packet::sign_in_place(&mut probe, &self.local.key);
        // Asked at once: an answer within the silence shows the way is open (the peer's walker
        // may take a while to come to us), and no try is made.
        self.shared.transmit(peer, probe.clone());
        if let Some(birthday) = self.shared.birthday.as_mut() {
            birthday.expect(now, self.community_id, peer, probe);
        }
    }

    /// Handles a discovery message (`msg_id` is one of [`CORE_IDS`]).
    pub(crate) fn handle(&mut self, incoming: &Incoming<'_>) -> Result<Outcome, DropReason> {
        match incoming.msg_id() {
            IntroductionRequestPayload::MSG_ID => {
                let (peer, Timed { payload: p, .. }) =
                    incoming.signed::<Timed<IntroductionRequestPayload>>()?;
                let request = IntroductionRequest {
                    destination_address: p.destination_address.into(),
                    source_lan_address: p.source_lan_address.into(),
                    source_wan_address: p.source_wan_address.into(),
                    identifier: p.identifier,
                    extra_bytes: p.extra_bytes,
                };
                let new_style = p.flags & REQUEST_SUPPORTS_NEW_STYLE != 0;
                self.on_introduction_request(peer, request, new_style)
            }
            NewIntroductionRequestPayload::MSG_ID => {
                let (peer, Timed { payload: p, .. }) =
                    incoming.signed::<Timed<NewIntroductionRequestPayload>>()?;
                let request = IntroductionRequest {
                    destination_address: p.destination_address,
                    source_lan_address: p.source_lan_address,
                    source_wan_address: p.source_wan_address,
                    identifier: p.identifier,
                    extra_bytes: p.extra_bytes,
                };
                self.on_introduction_request(peer, request, true)
            }
            IntroductionResponsePayload::MSG_ID => {
                let (peer, Timed { payload: p, .. }) =
                    incoming.signed::<Timed<IntroductionResponsePayload>>()?;
                let response = IntroductionResponse {
                    destination_address: p.destination_address.into(),
                    lan_introduction_address: p.lan_introduction_address.into(),
                    wan_introduction_address: p.wan_introduction_address.into(),
                    identifier: p.identifier,
                    extra_bytes: p.extra_bytes,
                };
                let new_style = p.flags & RESPONSE_SUPPORTS_NEW_STYLE != 0;
                let intro_new_style = p.flags & RESPONSE_INTRO_NEW_STYLE != 0;
                self.on_introduction_response(peer, response, new_style, intro_new_style)
            }
            NewIntroductionResponsePayload::MSG_ID => {
                let (peer, Timed { payload: p, .. }) =
                    incoming.signed::<Timed<NewIntroductionResponsePayload>>()?;
                let response = IntroductionResponse {
                    destination_address: p.destination_address,
                    lan_introduction_address: p.lan_introduction_address,
                    wan_introduction_address: p.wan_introduction_address,
                    identifier: p.identifier,
                    extra_bytes: p.extra_bytes,
                };
                let intro_new_style = p.flags & NEW_RESPONSE_INTRO_NEW_STYLE != 0;
                self.on_introduction_response(peer, response, true, intro_new_style)
            }
            PunctureRequestPayload::MSG_ID => {
                let Timed { payload: p, .. } =
                    incoming.unsigned::<Timed<PunctureRequestPayload>>()?;
                self.introducer_known = self.is_known(incoming.source());
                self.on_puncture_request(
                    p.lan_walker_address.into(),
                    p.wan_walker_address.into(),
                    p.identifier,
                    false,
                );
                Ok(Outcome::Nothing)
            }
            NewPunctureRequestPayload::MSG_ID => {
                let Timed { payload: p, .. } =
                    incoming.unsigned::<Timed<NewPunctureRequestPayload>>()?;
                self.introducer_known = self.is_known(incoming.source());
                self.on_puncture_request(
                    p.lan_walker_address,
                    p.wan_walker_address,
                    p.identifier,
                    true,
                );
                Ok(Outcome::Nothing)
            }
            PuncturePayload::MSG_ID => {
                incoming.signed::<Timed<PuncturePayload>>().map(|_| Outcome::Nothing)
            }
            NewPuncturePayload::MSG_ID => {
                incoming.signed::<Timed<NewPuncturePayload>>().map(|_| Outcome::Nothing)
            }
            _ => Err(DropReason::UnknownMessage),
        }
    }

    fn on_introduction_request(
        &mut self,
        peer: Peer,
        request: IntroductionRequest,
        new_style: bool,
    ) -> Result<Outcome, DropReason> {
        self.refuse_own_key(&peer)?;
        let peers = self.shared.network.peers_for(self.community_id);
        if peers.len() > self.max_peers {
            return Err(DropReason::Refused("peer_limit"));
        }
        let source = peer.address();
        self.verify_peer(&peer);
        let requester_new_style = {
            let entry = self.shared.network.get_mut(peer.key());
            entry.map_or(new_style, |entry| {
                entry.new_style |= new_style;
                entry.lan_address =
                    Some(request.source_lan_address).filter(|a| !is_unspecified(*a));
                entry.new_style
            })
        };
        // py-ipv8 claims the response's global time before it sends the puncture-request.
        let global_time = self.claim() % 65_536;
        let candidates: Vec<Peer> = peers
            .into_iter()
            // py-ipv8 excludes the peer at the requester's address (whatever key it has there).
            .filter(|p| p.address() != source && (requester_new_style || p.address().is_ipv4()))
            .collect();
        let introduced = self.shared.rng.choose(&candidates).cloned();
        let (lan_intro, wan_intro, intro_new_style) = match &introduced {
            Some(chosen) => self.introduction_addresses(chosen),
            None => (unspecified(), unspecified(), false),
        };
        if let Some(chosen) = &introduced {
            let lan_walker = request.destination_address;
            self.send_puncture_request(
                chosen.address(),
                lan_walker,
                source,
                request.identifier,
                requester_new_style,
            );
        }
        let limit_reached =
            self.shared.network.peers_for(self.community_id).len() >= self.max_peers;
        let response =
            Response { to: source, lan_intro, wan_intro, intro_new_style, limit_reached };
        self.send_introduction_response(global_time, &request, &response, requester_new_style);
        Ok(Outcome::Request(peer, request))
    }

    /// Refuses a packet signed with this community's own key. From another address, that is a
    /// second node with the same key file (two nodes started in one working directory): it is
    /// counted apart and warned about, since the two would never list each other.
    fn refuse_own_key(&mut self, peer: &Peer) -> Result<(), DropReason> {
        if peer.key() != &self.local.public_key {
            return Ok(());
        }
        if Some(peer.address()) == self.lan() {
            return Err(DropReason::FromSelf);
        }
        let seen = self.shared.stats.dropped(OWN_KEY_ELSEWHERE);
        if seen == 0 || seen.is_power_of_two() {
            tracing::warn!(
                address = %peer.address(),
                "another node uses this node's own key; give each node its own key file \
                 (`ipv8 run --key FILE` or `--working-directory`)"
            );
        }
        Err(DropReason::Refused(OWN_KEY_ELSEWHERE))
    }

    fn verify_peer(&mut self, peer: &Peer) {
        if self.shared.network.is_blacklisted(peer.address()) {
            return;
        }
        self.shared.network.add_verified_peer(peer);
        if self.shared.network.add_service(peer.key(), self.community_id) {
            self.shared.announce(peer.clone(), self.community_id);
        }
    }

    pub(super) fn send_puncture_request(
        &mut self,
        to: SocketAddr,
        lan_walker: SocketAddr,
        wan_walker: SocketAddr,
        identifier: u16,
        new_style: bool,
    ) {
        if new_style || !lan_walker.is_ipv4() || !wan_walker.is_ipv4() {
            let payload = NewPunctureRequestPayload {
                lan_walker_address: lan_walker,
                wan_walker_address: wan_walker,
                identifier,
            };
            self.send_unsigned(to, payload);
        } else {
            let payload = PunctureRequestPayload {
                lan_walker_address: v4(Some(lan_walker)),
                wan_walker_address: v4(Some(wan_walker)),
                identifier,
            };
            self.send_unsigned(to, payload);
        }
    }

    /// The LAN and WAN addresses to introduce `chosen` by: a peer on one of our own LAN IPs is
    /// introduced at our WAN IP with its port (py-ipv8's `address_is_lan` case).
    fn introduction_addresses(&self, chosen: &Peer) -> (SocketAddr, SocketAddr, bool) {
        let entry = self.shared.network.get(chosen.key());
        let new_style = entry.is_some_and(|e| e.new_style);
        let address = chosen.address();
        let own_lan_ip = self.lan().map(|a| a.ip());
        if address.is_ipv4() && Some(address.ip()) == own_lan_ip {
            let wan_ip = self.wan().map_or(Ipv4Addr::UNSPECIFIED.into(), |a| a.ip());
            return (address, SocketAddr::new(wan_ip, address.port()), new_style);
        }
        let lan = entry.and_then(|e| e.lan_address).unwrap_or_else(unspecified);
        (lan, address, new_style)
    }

    fn send_introduction_response(
        &mut self,
        global_time: u64,
        request: &IntroductionRequest,
        response: &Response,
        new_style: bool,
    ) {
        let Response { to, lan_intro, wan_intro, intro_new_style, limit_reached } = *response;
        if new_style {
            let payload = NewIntroductionResponsePayload {
                destination_address: to,
                source_lan_address: self.lan().unwrap_or_else(unspecified),
                source_wan_address: self.lan().unwrap_or_else(unspecified),
                lan_introduction_address: lan_intro,
                wan_introduction_address: wan_intro,
                identifier: request.identifier,
                flags: if intro_new_style { NEW_RESPONSE_INTRO_NEW_STYLE } else { 0 },
                extra_bytes: self.extra_bytes(),
            };
            self.send_signed_at(to, global_time, payload);
        } else {
            let mut flags = RESPONSE_SUPPORTS_NEW_STYLE;
            if intro_new_style {
                flags |= RESPONSE_INTRO_NEW_STYLE;
            }
            if limit_reached {
                flags |= RESPONSE_PEER_LIMIT_REACHED;
            }
            let payload = IntroductionResponsePayload {
                destination_address: v4(Some(to)),
                source_lan_address: v4(self.lan()),
                source_wan_address: v4(self.wan()),
                lan_introduction_address: v4(Some(lan_intro)),
                wan_introduction_address: v4(Some(wan_intro)),
                flags,
                identifier: request.identifier,
                extra_bytes: self.extra_bytes(),
            };
            self.send_signed_at(to, global_time, payload);
        }
    }

    fn on_introduction_response(
        &mut self,
        peer: Peer,
        response: IntroductionResponse,
        new_style: bool,
        intro_new_style: bool,
    ) -> Result<Outcome, DropReason> {
        self.refuse_own_key(&peer)?;
        self.introducer_known = self.is_known(peer.address());
        if !response.destination_address.ip().is_unspecified()
            && response.destination_address.is_ipv4()
            && !is_private_v4(response.destination_address)
        {
            self.shared.addresses.wan = Some(response.destination_address);
            let now = self.shared.now;
            let sightings = &mut self.shared.sightings;
            sightings.record(now, peer.address(), response.destination_address);
        }
        self.verify_peer(&peer);
        if let Some(entry) = self.shared.network.get_mut(peer.key()) {
            entry.new_style |= new_style;
        }
        let walkable = Walkable {
            introducer: Some(peer.key().clone()),
            service: self.community_id,
            new_style: intro_new_style,
        };
        let (lan, wan) = (response.lan_introduction_address, response.wan_introduction_address);
        let own_wan_ip = self.wan().map(|a| a.ip());
        let network = &mut self.shared.network;
        if !is_unspecified(wan) && Some(wan.ip()) != own_wan_ip {
            if !is_unspecified(lan) {
                network.add_walkable(lan, walkable.clone());
            }
            network.add_walkable(wan, walkable);
            self.expect_birthday(wan);
        } else if !is_unspecified(lan) {
            network.add_walkable(lan, walkable);
        } else if !is_unspecified(wan) {
            network.add_walkable(wan, walkable.clone());
            if let Some(own_lan) = self.shared.addresses.lan {
                self.shared
                    .network
                    .add_walkable(SocketAddr::new(own_lan.ip(), wan.port()), walkable);
            }
        }
        Ok(Outcome::Response(peer, response))
    }

    /// Punctures toward the walker a puncture-request names: its LAN address when it shares our
    /// WAN IP, else its WAN address, and then (with port prediction on) the same signed puncture
    /// toward the ports after its WAN port.
    pub(super) fn on_puncture_request(
        &mut self,
        lan_walker: SocketAddr,
        wan_walker: SocketAddr,
        identifier: u16,
        new_style: bool,
    ) {
        let target = if self.wan().map(|a| a.ip()) == Some(wan_walker.ip()) {
            lan_walker
        } else {
            wan_walker
        };
        if is_unspecified(target) {
            return;
        }
        let bytes = if new_style {
            let payload = NewPuncturePayload {
                source_lan_address: self.lan().unwrap_or_else(unspecified),
                source_wan_address: wan_walker,
                identifier,
            };
            self.signed_bytes(payload)
        } else {
            let payload = PuncturePayload {
                source_lan_address: v4(self.lan()),
                source_wan_address: v4(Some(wan_walker)),
                identifier,
            };
            self.signed_bytes(payload)
        };
        let Some(mut bytes) = bytes else { return };
        let now = self.shared.now;
        let predicted = match &mut self.shared.port_prediction {
            Some(prediction) if target == wan_walker => prediction.candidates(now, wan_walker),
            _ => Vec::new(),
        };
        if target == wan_walker {
            self.expect_birthday(wan_walker);
        }
        if predicted.is_empty() {
            self.shared.transmit_signed(target, bytes, &self.local.key);
            return;
        }
        // The same signed bytes go to every predicted port: signed once, here.
        packet::sign_in_place(&mut bytes, &self.local.key);
        self.shared.transmit(target, bytes.clone());
        for candidate in predicted {
            self.shared.transmit(candidate, bytes.clone());
        }
    }

    /// `payload` with a fresh global time, framed for signing ([`packet::to_sign`]), or `None`
    /// (counted) if it does not encode.
    fn signed_bytes<P: Message>(&mut self, payload: P) -> Option<Vec<u8>> {
        let message = Timed { global_time: self.claim(), payload };
        let key_bin = self.local.public_key.to_bin();
        let signature_len = self.local.key.curve().signature_len();
        let bytes = packet::to_sign(&self.prefix, key_bin, signature_len, &message);
        bytes.map_err(|_| self.shared.stats.send_failed("encode")).ok()
    }
}
