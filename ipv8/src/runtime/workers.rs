//! Worker threads that share the node's signature work with the loop: the checks of a large
//! received batch, and the signatures of a large batch of datagrams to send. A batch with at
//! least [`PARALLEL_MIN`] signatures is cut into one part per thread; the loop does the first
//! part itself and waits for the others. Only signatures are computed elsewhere: the node still
//! handles datagrams in the order they arrived and the driver sends them in the order the node
//! queued them, so the traffic to and from each peer keeps its order. Smaller batches, and every
//! batch when there are no workers, are done on the loop.

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::proto::{Outgoing, SignatureCheck, Transmit};

/// Fewer signatures than this are checked on the loop: a part must outweigh the hand-over.
pub const PARALLEL_MIN: usize = 16;

/// The most worker threads [`Workers::default_count`] chooses.
const DEFAULT_MAX: usize = 7;

/// One part of a batch for a worker, and where to send the outcome.
enum Job {
    /// Checks, with copies of their datagrams: the verdicts go back.
    Verify { checks: Vec<(SignatureCheck, Vec<u8>)>, reply: SyncSender<Vec<bool>> },
    /// Datagrams to sign: they go back finished.
    Sign { outgoing: Vec<Outgoing>, reply: SyncSender<Vec<Transmit>> },
}

/// The worker threads of one driver; they end when it is dropped.
pub(crate) struct Workers {
    jobs: Option<SyncSender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    /// The number of workers when none is configured: one less than the cores this process may
    /// use (the loop is the other), at most 7.
    pub(crate) fn default_count() -> usize {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .saturating_sub(1)
            .min(DEFAULT_MAX)
    }

    /// Starts `count` worker threads (none for 0).
    pub(crate) fn start(count: usize) -> Self {
        if count == 0 {
            return Self { jobs: None, threads: Vec::new() };
        }
        let (jobs, queue) = sync_channel::<Job>(count);
        let queue = Arc::new(Mutex::new(queue));
        let threads = (0..count)
            .filter_map(|index| {
                let queue = Arc::clone(&queue);
                std::thread::Builder::new()
                    .name(format!("ipv8-crypto-{index}"))
                    .spawn(move || work(&queue))
                    .ok()
            })
            .collect::<Vec<_>>();
        let jobs = (!threads.is_empty()).then_some(jobs);
        Self { jobs, threads }
    }

    /// How many worker threads run.
    pub(crate) fn count(&self) -> usize {
        self.threads.len()
    }

    /// The verdicts for a batch and its checks, as [`SignatureCheck::verify_some`] gives them,
    /// computed in parts on the workers and the calling thread when the batch is large enough;
    /// also how many of them the workers computed.
    pub(crate) fn verify(
        &self,
        checks: &[Option<SignatureCheck>],
        datagrams: &[(SocketAddr, &[u8])],
    ) -> (Vec<Option<bool>>, usize) {
        let present: Vec<(&SignatureCheck, &[u8])> = checks
            .iter()
            .zip(datagrams)
            .filter_map(|(check, (_, data))| Some((check.as_ref()?, *data)))
            .collect();
        let Some(jobs) = self.jobs.as_ref().filter(|_| present.len() >= PARALLEL_MIN) else {
            return (SignatureCheck::verify_some(checks, datagrams), 0);
        };
        let part_len = present.len().div_ceil(self.count() + 1);
        let mut parts = present.chunks(part_len);
        let own = parts.next().unwrap_or_default();
        let replies: Vec<_> = parts.map(|part| (part, hand_over(jobs, part))).collect();
        let mut verdicts = SignatureCheck::verify_all(own);
        let mut on_workers = 0;
        for (part, reply) in replies {
            // A worker that is gone (it panicked) leaves its part to this thread.
            match reply.and_then(|reply| reply.recv().ok()) {
                Some(answer) => {
                    on_workers += answer.len();
                    verdicts.extend(answer);
                }
                None => verdicts.extend(SignatureCheck::verify_all(part)),
            }
        }
        let mut verdicts = verdicts.into_iter();
        let verdicts =
            checks.iter().map(|check| check.as_ref().and_then(|_| verdicts.next())).collect();
        (verdicts, on_workers)
    }

    /// The datagrams finished ([`Outgoing::finish`]) in the order given, those to sign spread
    /// over the workers and the calling thread when there are enough of them; also how many the
    /// workers signed. A part whose worker died (it panicked) is lost, as a datagram may be.
    pub(crate) fn sign(&self, outgoing: Vec<Outgoing>) -> (Vec<Transmit>, usize) {
        let to_sign = outgoing.iter().filter(|o| !o.is_signed()).count();
        let Some(jobs) = self.jobs.as_ref().filter(|_| to_sign >= PARALLEL_MIN) else {
            return (finish_all(outgoing), 0);
        };
        let part_len = outgoing.len().div_ceil(self.count() + 1);
        let mut parts = Vec::new();
        let mut rest = outgoing.into_iter();
        loop {
            let part: Vec<_> = rest.by_ref().take(part_len).collect();
            if part.is_empty() {
                break;
            }
            parts.push(part);
        }
        let mut parts = parts.into_iter();
        let own = parts.next().unwrap_or_default();
        let replies: Vec<_> = parts
            .map(|outgoing| {
                let (reply, answer) = sync_channel(1);
                // A part the workers cannot take comes back to be signed here.
                let unsigned = outgoing.iter().filter(|o| !o.is_signed()).count();
                match jobs.send(Job::Sign { outgoing, reply }) {
                    Ok(()) => Ok((answer, unsigned)),
                    Err(refused) => match refused.0 {
                        Job::Sign { outgoing, .. } => Err(outgoing),
                        Job::Verify { .. } => Err(Vec::new()),
                    },
                }
            })
            .collect();
        let mut finished = finish_all(own);
        let mut on_workers = 0;
        for reply in replies {
            match reply {
                Ok((answer, unsigned)) => {
                    if let Ok(transmits) = answer.recv() {
                        on_workers += unsigned;
                        finished.extend(transmits);
                    }
                }
                Err(outgoing) => finished.extend(finish_all(outgoing)),
            }
        }
        (finished, on_workers)
    }
}

/// Sends one part to the workers; `None` if they are gone.
fn hand_over(
    jobs: &SyncSender<Job>,
    part: &[(&SignatureCheck, &[u8])],
) -> Option<Receiver<Vec<bool>>> {
    let (reply, answer) = sync_channel(1);
    let checks = part.iter().map(|&(check, data)| (check.clone(), data.to_vec())).collect();
    jobs.send(Job::Verify { checks, reply }).ok()?;
    Some(answer)
}

/// Datagrams signed on this thread, in order.
fn finish_all(outgoing: Vec<Outgoing>) -> Vec<Transmit> {
    outgoing.into_iter().map(Outgoing::finish).collect()
}

/// A worker's life: take parts until the driver is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        // The driver may have stopped waiting for an answer; nothing to do then.
        match job {
            Ok(Job::Verify { checks, reply }) => {
                let borrowed: Vec<_> =
                    checks.iter().map(|(check, data)| (check, data.as_slice())).collect();
                let _ = reply.send(SignatureCheck::verify_all(&borrowed));
            }
            Ok(Job::Sign { outgoing, reply }) => {
                let _ = reply.send(finish_all(outgoing));
            }
            Err(_) => return,
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.jobs = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::crypto::{Curve, PrivateKey};
    use crate::proto::{Community, CommunityId, Node};

    struct Probe;

    #[crate::community]
    impl Probe {}

    impl Community for Probe {
        fn community_id(&self) -> CommunityId {
            CommunityId(*b"workers test overlay")
        }
    }

    /// Signed introduction-requests to `node`'s community from `count` walkers; every fifth one
    /// has a flipped signature byte.
    fn batch(count: usize) -> Vec<Vec<u8>> {
        let now = Instant::now();
        let to: SocketAddr = "127.0.0.1:9".parse().unwrap();
        (0..count)
            .map(|seed| {
                let key = PrivateKey::generate(Curve::Curve25519).unwrap();
                let mut walker = Node::new(key, seed as u64, now);
                walker.add_community(now, Probe).unwrap();
                walker.with_community::<Probe, _>(now, |_, ctx| ctx.walk_to(to)).unwrap();
                let mut packet = walker.poll_transmit().unwrap().contents;
                if seed % 5 == 0 {
                    *packet.last_mut().unwrap() ^= 1;
                }
                packet
            })
            .collect()
    }

    #[test]
    fn workers_give_the_verdicts_the_loop_gives() {
        let now = Instant::now();
        let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).unwrap(), 7, now);
        node.add_community(now, Probe).unwrap();
        let packets = batch(3 * PARALLEL_MIN);
        let source: SocketAddr = "127.0.0.1:10".parse().unwrap();
        let mut datagrams: Vec<_> = packets.iter().map(|p| (source, p.as_slice())).collect();
        datagrams.insert(3, (source, b"nothing to check"));
        let checks = node.signature_checks(&datagrams);
        let inline = SignatureCheck::verify_some(&checks, &datagrams);
        let workers = Workers::start(2);
        assert_eq!(workers.count(), 2);
        let (verdicts, on_workers) = workers.verify(&checks, &datagrams);
        assert_eq!(verdicts, inline);
        assert!(on_workers > 0 && on_workers < packets.len(), "the loop and workers share");
        let forged = (0..packets.len()).filter(|seed| seed % 5 == 0).count();
        let count = |verdict| inline.iter().filter(|v| **v == verdict).count();
        assert_eq!(count(Some(false)), forged);
        assert_eq!(count(Some(true)), packets.len() - forged);
        assert_eq!(inline[3], None);
    }

    /// A node that walked to `count` addresses, its requests still in its outbox.
    fn walked(key: &PrivateKey, count: u16, now: Instant) -> Node {
        let mut node = Node::new(key.clone(), 3, now);
        node.add_community(now, Probe).unwrap();
        node.with_community::<Probe, _>(now, |_, ctx| {
            for port in 1..=count {
                ctx.walk_to(SocketAddr::from(([127, 0, 0, 1], port)));
            }
        })
        .unwrap();
        node
    }

    #[test]
    fn workers_sign_what_the_loop_signs_in_the_same_order() {
        let (now, key) = (Instant::now(), PrivateKey::generate(Curve::Curve25519).unwrap());
        let count = 3 * PARALLEL_MIN as u16;
        let mut inline = walked(&key, count, now);
        let mut deferred = walked(&key, count, now);
        let expected: Vec<_> = std::iter::from_fn(|| inline.poll_transmit()).collect();
        let outgoing: Vec<_> = std::iter::from_fn(|| deferred.poll_outgoing()).collect();
        assert!(outgoing.iter().all(|o| !o.is_signed()), "signing waits for the taker");
        let (signed, on_workers) = Workers::start(2).sign(outgoing);
        assert_eq!(signed, expected);
        assert!(on_workers > 0 && on_workers < expected.len(), "the loop and workers share");
        let public = key.public_key();
        let (body, signature) = signed[0].contents.split_at(signed[0].contents.len() - 64);
        assert!(public.verify(body, signature));
    }

    #[test]
    fn no_workers_check_on_the_loop() {
        let workers = Workers::start(0);
        assert_eq!(workers.count(), 0);
        let source: SocketAddr = "127.0.0.1:10".parse().unwrap();
        assert_eq!(workers.verify(&[None], &[(source, b"x")]), (vec![None], 0));
    }
}
