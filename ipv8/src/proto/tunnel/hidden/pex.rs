//! [`PexCommunity`]: the overlay an introduction point starts per swarm (py-ipv8's
//! `PexCommunity`, spec `tunnels.md` §8), where introduction points of one info hash find each
//! other: their introduction requests and responses carry the seeder keys they introduce, so
//! any of them can answer a downloader's peers-request with the others.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::swarm::{IntroductionPoint, PeerSource};
use crate::proto::discovery::{IntroductionRequest, IntroductionResponse, Ping};
use crate::proto::{Community, CommunityId, Context, Peer, Reply, Request, Responder, Walk};
use crate::wire::format::VarlenHList;
use crate::wire::{Format as _, Reader};

/// Added to the info hash (as a 160-bit number) to make the overlay's community id.
pub const PEX_VERSION: u8 = 1;
/// Introduction points learnt from others, at most.
pub const MAX_PEX_POINTS: usize = 20;
/// How long a learnt introduction point is kept.
pub const PEX_POINT_AGE: Duration = Duration::from_secs(300);
/// Seeder keys one introduction request or response carries, at most.
pub const MAX_ANNOUNCED: usize = 10;
/// How a PEX overlay walks: toward 10 peers, one step per 5 s (py-ipv8 slows it down so that a
/// small swarm does not flood).
pub const PEX_WALK: Walk = Walk { target_peers: 10, interval: Duration::from_secs(5) };

/// The community id of the PEX overlay of `info_hash`: the info hash plus [`PEX_VERSION`] as a
/// big-endian number (wrapping at 2¹⁶⁰, where py-ipv8 would fail).
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::pex_community_id;
///
/// let mut info_hash = [0; 20];
/// info_hash[19] = 0xff;
/// let id = pex_community_id(&info_hash);
/// assert_eq!(id.to_string(), "0000000000000000000000000000000000000100");
/// ```
#[must_use]
pub fn pex_community_id(info_hash: &[u8; 20]) -> CommunityId {
    let mut id = *info_hash;
    let mut carry = u16::from(PEX_VERSION);
    for byte in id.iter_mut().rev() {
        let sum = u16::from(*byte) + carry;
        *byte = (sum & 0xff) as u8;
        carry = sum >> 8;
        if carry == 0 {
            break;
        }
    }
    CommunityId(id)
}

/// The PEX overlay of one swarm.
pub struct PexCommunity {
    id: CommunityId,
    info_hash: [u8; 20],
    /// Learnt introduction points, newest first.
    learnt: VecDeque<(IntroductionPoint, Instant)>,
    /// The seeder keys we introduce.
    announcing: Vec<Vec<u8>>,
}

impl PexCommunity {
    /// The PEX overlay of `info_hash`.
    #[must_use]
    pub fn new(info_hash: [u8; 20]) -> Self {
        Self {
            id: pex_community_id(&info_hash),
            info_hash,
            learnt: VecDeque::new(),
            announcing: Vec::new(),
        }
    }

    /// The swarm's info hash.
    #[must_use]
    pub fn info_hash(&self) -> [u8; 20] {
        self.info_hash
    }

    /// The seeder keys we introduce.
    #[must_use]
    pub fn announcing(&self) -> &[Vec<u8>] {
        &self.announcing
    }

    /// The introduction points learnt from others (fresh ones) and ourselves for every seeder
    /// we introduce (py-ipv8's `get_intro_points`).
    pub fn intro_points(&mut self, ctx: &mut Context<'_, Self>) -> Vec<IntroductionPoint> {
        let now = ctx.now();
        while self
            .learnt
            .back()
            .is_some_and(|(_, seen)| now.saturating_duration_since(*seen) > PEX_POINT_AGE)
        {
            self.learnt.pop_back();
        }
        let me = ctx.wan_address().or(ctx.my_address());
        let mine = me.map(|address| Peer::new(ctx.my_key().clone(), address));
        let own = mine.into_iter().flat_map(|peer| {
            self.announcing.iter().map(move |pk| IntroductionPoint {
                peer: peer.clone(),
                seeder_pk: pk.clone(),
                source: PeerSource::Pex,
            })
        });
        self.learnt.iter().map(|(ip, _)| ip.clone()).chain(own.collect::<Vec<_>>()).collect()
    }

    fn set_extra_bytes(&self, ctx: &mut Context<'_, Self>) {
        let mut keys = self.announcing.clone();
        while keys.len() > MAX_ANNOUNCED {
            let drop = usize::try_from(ctx.rng().below(keys.len() as u64)).unwrap_or(0);
            keys.swap_remove(drop);
        }
        let mut extra = Vec::new();
        if VarlenHList::encode(&keys, &mut extra).is_ok() {
            ctx.set_introduction_extra_bytes(extra);
        }
    }

    fn learn(&mut self, ctx: &Context<'_, Self>, peer: &Peer, extra_bytes: &[u8]) {
        if extra_bytes.is_empty() {
            return;
        }
        let Ok(keys) = VarlenHList::decode(&mut Reader::new(extra_bytes)) else { return };
        for seeder_pk in keys.into_iter().take(MAX_ANNOUNCED) {
            let ip = IntroductionPoint { peer: peer.clone(), seeder_pk, source: PeerSource::Pex };
            self.learnt.retain(|(known, _)| !known.same(&ip));
            self.learnt.push_front((ip, ctx.now()));
            self.learnt.truncate(MAX_PEX_POINTS);
        }
    }
}

#[crate::community]
impl PexCommunity {}

impl Community for PexCommunity {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn name(&self) -> &'static str {
        "PexCommunity"
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        self.set_extra_bytes(ctx);
    }

    fn introduction_request_callback(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        request: &IntroductionRequest,
    ) {
        self.learn(ctx, peer, &request.extra_bytes);
    }

    fn introduction_response_callback(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        response: &IntroductionResponse,
    ) {
        self.learn(ctx, peer, &response.extra_bytes);
    }
}

impl Ping for PexCommunity {
    /// py-ipv8's PEX overlay pings with an introduction request.
    fn ping(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        ctx.send_introduction_request(peer);
    }
}

/// Starts or stops introducing a seeder in a PEX overlay; answers whether the overlay still
/// introduces anyone.
#[derive(Debug, Clone)]
pub struct PexAnnounce {
    /// The seeder's public key, serialized.
    pub seeder_pk: Vec<u8>,
    /// Start (`true`) or stop.
    pub announce: bool,
}

impl Request for PexAnnounce {
    type Response = bool;
}

impl Responder<PexAnnounce> for PexCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: PexAnnounce,
        reply: Reply<bool>,
    ) {
        let known = self.announcing.contains(&request.seeder_pk);
        if request.announce && !known {
            self.announcing.push(request.seeder_pk);
        } else if !request.announce {
            self.announcing.retain(|pk| *pk != request.seeder_pk);
        }
        self.set_extra_bytes(ctx);
        let busy = !self.announcing.is_empty();
        ctx.reply(reply, busy);
    }
}

/// The introduction points a PEX overlay knows (as [`PexCommunity::intro_points`]).
#[derive(Debug, Clone, Copy)]
pub struct PexIntroPoints;

impl Request for PexIntroPoints {
    type Response = Vec<IntroductionPoint>;
}

impl Responder<PexIntroPoints> for PexCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _request: PexIntroPoints,
        reply: Reply<Vec<IntroductionPoint>>,
    ) {
        let points = self.intro_points(ctx);
        ctx.reply(reply, points);
    }
}
