//! `node-list`: the DHT's list of nodes (py-ipv8's `NodePacker`, registered by the DHT community):
//! a `u8` count, then per node its `ip_address` and its serialized public key as a `varlenH`.

use std::net::SocketAddr;

use super::varlen::Prefix;
use super::{Format, IpAddress, VarlenH};
use crate::wire::{DecodeError, EncodeError, Reader};

/// One node of a `node-list`: where it is, and its public key as serialized (py-ipv8 sends no
/// node id; the receiver derives it from both).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DhtNode {
    /// The node's address.
    pub address: SocketAddr,
    /// The node's serialized public key (`LibNaCLPK:` ...), not parsed yet.
    pub public_key: Vec<u8>,
}

/// `node-list`: a `u8` count, then each node as `ip_address` and `varlenH` key.
#[derive(Debug, Clone, Copy)]
pub struct NodeList;

impl Format<Vec<DhtNode>> for NodeList {
    fn encode(value: &Vec<DhtNode>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        Prefix::U8.put("node-list", "nodes", value.len(), out)?;
        value.iter().try_for_each(|node| {
            IpAddress::encode(&node.address, out)?;
            VarlenH::encode(&node.public_key, out)
        })
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Vec<DhtNode>, DecodeError> {
        let count = Prefix::U8.get(reader)?;
        (0..count)
            .map(|_| {
                let address = IpAddress::decode(reader)?;
                let public_key = VarlenH::decode(reader)?;
                Ok(DhtNode { address, public_key })
            })
            .collect()
    }

    fn encoded_len(value: &Vec<DhtNode>) -> usize {
        let node =
            |n: &DhtNode| IpAddress::encoded_len(&n.address) + VarlenH::encoded_len(&n.public_key);
        1 + value.iter().map(node).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_list_round_trips_and_refuses_more_than_255_nodes() {
        let node = DhtNode { address: "127.0.0.1:53377".parse().unwrap(), public_key: vec![7; 3] };
        let mut out = Vec::new();
        NodeList::encode(&vec![node.clone()], &mut out).unwrap();
        assert_eq!(out, [1, 1, 127, 0, 0, 1, 0xd0, 0x81, 0, 3, 7, 7, 7]);
        assert_eq!(NodeList::encoded_len(&vec![node.clone()]), out.len());
        assert_eq!(NodeList::decode(&mut Reader::new(&out)).unwrap(), std::slice::from_ref(&node));
        assert!(NodeList::encode(&vec![node; 256], &mut Vec::new()).is_err());
        assert!(NodeList::decode(&mut Reader::new(&out[..8])).is_err());
    }
}
