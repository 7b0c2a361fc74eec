//! The fast path's side of the driver: datagrams the node's fast paths forwarded (the cells a
//! tunnel relay passes on) straight from the receive buffers, laid end to end in one buffer that
//! is reused every turn, and sent in runs: one call for each run of same-size datagrams to one
//! destination where the socket takes runs (UDP GSO). Nothing is queued in the node for them.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use super::sockets::ExtraSockets;
use super::{Endpoint, Stats};
use crate::proto::{Forward, Node, Transmit};

/// The sockets forwarded datagrams leave from: the endpoint's, or communities' own.
pub(super) struct Out<'a> {
    pub(super) endpoint: &'a Endpoint,
    pub(super) extra: &'a ExtraSockets,
}

impl Out<'_> {
    fn max_segments(&self, forward: Forward, size: usize) -> usize {
        match forward.socket {
            Some(id) => self.extra.max_segments(id, size),
            None => self.endpoint.max_segments(forward.destination, size),
        }
    }

    fn send(&self, forward: Forward, bytes: &[u8]) -> io::Result<usize> {
        match forward.socket {
            Some(id) => self.extra.send(id, bytes, forward.destination),
            None => self.endpoint.try_send_to(bytes, forward.destination),
        }
    }

    fn send_segments(&self, forward: Forward, bytes: &[u8], segment: usize) -> io::Result<()> {
        match forward.socket {
            Some(id) => self.extra.send_segments(id, bytes, segment, forward.destination),
            None => self.endpoint.try_send_segments(bytes, segment, forward.destination),
        }
    }
}

/// Forwarded datagrams waiting to be sent.
#[derive(Default)]
pub(super) struct Forwarded {
    /// The datagrams, end to end.
    buffer: Vec<u8>,
    /// Where each datagram goes and where it ends in `buffer`.
    ends: Vec<(Forward, usize)>,
}

impl Forwarded {
    /// Offers a received datagram to the node's fast paths; `true` if one forwarded it (it is
    /// then held here).
    pub(super) fn offer(
        &mut self,
        node: &mut Node,
        now: Instant,
        source: SocketAddr,
        datagram: &[u8],
    ) -> bool {
        match node.forward_fast(now, source, datagram, &mut self.buffer) {
            Some(forward) => {
                self.ends.push((forward, self.buffer.len()));
                true
            }
            None => false,
        }
    }

    /// Sends every datagram held. What a full socket does not take joins `pending`, the
    /// datagrams the driver sends once the socket can take more.
    pub(super) fn flush(
        &mut self,
        out: &Out<'_>,
        stats: &mut Stats,
        pending: &mut VecDeque<Transmit>,
    ) {
        let mut start = 0;
        let mut first = 0;
        while first < self.ends.len() {
            let (next, end) = self.run(out, first, start);
            let (forward, first_end) = self.ends[first];
            let (bytes, segment) = (&self.buffer[start..end], first_end - start);
            let count = next - first;
            let sent = if count == 1 {
                out.send(forward, bytes).map(drop)
            } else {
                out.send_segments(forward, bytes, segment)
            };
            match sent {
                Ok(()) => {
                    stats.datagrams_sent += count as u64;
                    stats.bytes_sent += bytes.len() as u64;
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.keep(first, start, pending);
                    break;
                }
                Err(_) if count > 1 => self.one_by_one(out, stats, first..next, start),
                Err(_) => stats.send_errors += 1,
            }
            (first, start) = (next, end);
        }
        self.buffer.clear();
        self.ends.clear();
    }

    /// The run that starts with datagram `first` (at `start` in the buffer): datagrams from one
    /// socket to one destination, all as long as the first but the last (which may be shorter),
    /// as many as one call may carry. Returns the index after it and where it ends.
    fn run(&self, out: &Out<'_>, first: usize, start: usize) -> (usize, usize) {
        let (forward, first_end) = self.ends[first];
        let size = first_end - start;
        let most = out.max_segments(forward, size).max(1);
        let (mut next, mut end) = (first + 1, first_end);
        while next < self.ends.len() && next - first < most {
            let (to, next_end) = self.ends[next];
            let len = next_end - end;
            if to != forward || len > size {
                break;
            }
            (next, end) = (next + 1, next_end);
            if len < size {
                break;
            }
        }
        (next, end)
    }

    /// Sends datagrams `range` (the first at `start`) one by one, after their run was refused.
    fn one_by_one(
        &self,
        out: &Out<'_>,
        stats: &mut Stats,
        range: std::ops::Range<usize>,
        mut start: usize,
    ) {
        for index in range {
            let (forward, end) = self.ends[index];
            match out.send(forward, &self.buffer[start..end]) {
                Ok(len) => {
                    stats.datagrams_sent += 1;
                    stats.bytes_sent += len as u64;
                }
                Err(_) => stats.send_errors += 1,
            }
            start = end;
        }
    }

    /// Moves the datagrams from `first` on (the first at `start`) to `pending`.
    fn keep(&self, first: usize, mut start: usize, pending: &mut VecDeque<Transmit>) {
        for &(Forward { destination, socket }, end) in &self.ends[first..] {
            let contents = self.buffer[start..end].to_vec();
            pending.push_back(Transmit { destination, contents, socket });
            start = end;
        }
    }
}
