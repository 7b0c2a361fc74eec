//! The tunnel community's cryptography and cell framing against the spec's vectors
//! (`tunnels.md` §3 and §5, computed with py-ipv8 3.2.1, ipv8-rust-tunnels and independently with
//! the `cryptography` package; `advanced-vectors.json`, key `tunnel`).

use ipv8::crypto::{PrivateKey, box_beforenm};
use ipv8::messages::tunnel::{CreatePayload, DataPayload};
use ipv8::proto::tunnel::{
    COMMUNITY_ID, Candidates, CandidatesError, Cell, CellError, CryptoError, Direction,
    EphemeralKey, LAYER_OVERHEAD, MAX_OFFERED, SessionKeys, cell_message, complete, respond,
};
use ipv8::wire::Payload as _;
use ipv8::wire::format::Address;

const INITIATOR_EPHEMERAL_PRIVATE: &str = "4c69624e61434c534b3a11111111111111111111111111111111111111111111111111111111111111111212121212121212121212121212121212121212121212121212121212121212";
const X: &str = "7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13";
const RESPONDER_EPHEMERAL_PRIVATE: &str = "4c69624e61434c534b3a33333333333333333333333333333333333333333333333333333333333333333434343434343434343434343434343434343434343434343434343434343434";
const Y: &str = "7b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14";
const RESPONDER_STATIC_PRIVATE: &str = "4c69624e61434c534b3a606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
const RESPONDER_STATIC_CRYPT_PK: &str =
    "675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f";
const DH_Y_X: &str = "f90a562055afce1c541f3d8d7dd633e08c2dfbc9a1b1fa234a3baae59e2f2e12";
const DH_B_X: &str = "04662e01a6f247383073867ccb72f873e74cadbd99bb27a27a56070c5a6247f3";
const SHARED_SECRET: &str = "f90a562055afce1c541f3d8d7dd633e08c2dfbc9a1b1fa234a3baae59e2f2e1204662e01a6f247383073867ccb72f873e74cadbd99bb27a27a56070c5a6247f3";
const AUTH: &str = "f5abadf1f88dad6a3801d0010bbbf716858268777945632d5c9158199e09566d";
const KEY_FORWARD: &str = "e039a3b8f4163904935f99f7df3447ac58713f292c5119db104891678e882195";
const KEY_BACKWARD: &str = "67c4e814d90fc7938d6eeb7eb7a6ac7ce83c8b4c942af71247b60e1a7aacb842";
const SALT_FORWARD: &str = "f0487592";
const SALT_BACKWARD: &str = "3eabc7d8";
const FIRST_ENCRYPT_FORWARD_HELLO: &str =
    "00000000000000027c93562bdaeac0df2fef7bef070f0867ce063995b7";
const FIRST_ENCRYPT_BACKWARD_HELLO: &str =
    "00000000000000022800b2da2f3d931a22af750e5d20e05e05aeb09eb6";
const CREATE_CELL_CID01020304_IDENT0506_KEYA_X: &str = "000281ded07332bdc775aa5a46f96de9f8f390bbc9f300010203040101020506004a4c69624e61434c504b3a358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd16625403a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b800207b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13";
const DATA_PLAIN_MESSAGE: &str = "0101010203040005010000000000006869";
const DATA_CELL_1LAYER_FORWARD_FIRST_USE_OF_KEYS: &str = "000281ded07332bdc775aa5a46f96de9f8f390bbc9f300010203040000000000000000000215f73b45b66a520cbca15f5727b5894da99d1d79a6c81334dfd7cb29aa0769f427";
/// Key A of the spec (`core-vectors.json`): X25519 half 20..3f, Ed25519 seed 00..1f.
const KEY_A: &str = "4c69624e61434c534b3a202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn array<const N: usize>(text: &str) -> [u8; N] {
    unhex(text).try_into().unwrap()
}

/// The X25519 secret of a serialized `LibNaCLSK:` key (bytes 10..42).
fn x25519_secret(text: &str) -> [u8; 32] {
    unhex(text)[10..42].try_into().unwrap()
}

fn responder() -> PrivateKey {
    PrivateKey::from_bin(&unhex(RESPONDER_STATIC_PRIVATE)).unwrap()
}

fn handshake() -> (EphemeralKey, ipv8::proto::tunnel::Created) {
    let x = EphemeralKey::from_secret(x25519_secret(INITIATOR_EPHEMERAL_PRIVATE));
    let y = EphemeralKey::from_secret(x25519_secret(RESPONDER_EPHEMERAL_PRIVATE));
    let created = respond(&responder(), &y, &x.public()).unwrap();
    (x, created)
}

#[test]
fn the_handshake_is_byte_exact_with_py_ipv8() {
    let x = EphemeralKey::from_secret(x25519_secret(INITIATOR_EPHEMERAL_PRIVATE));
    assert_eq!(x.public(), array(X));
    let y = EphemeralKey::from_secret(x25519_secret(RESPONDER_EPHEMERAL_PRIVATE));
    assert_eq!(y.public(), array(Y));
    assert_eq!(responder().public_key().x25519(), Some(array(RESPONDER_STATIC_CRYPT_PK)));
    let secret = x25519_secret(RESPONDER_EPHEMERAL_PRIVATE);
    assert_eq!(box_beforenm(&secret, &array(X)), Some(array(DH_Y_X)));
    assert_eq!(responder().key_exchange(&array(X)), Some(array(DH_B_X)));

    let (_, created) = handshake();
    assert_eq!(created.y, array(Y));
    assert_eq!(created.auth, array(AUTH));
    let keys = &created.keys;
    assert_eq!(keys.key(Direction::Forward), &array(KEY_FORWARD));
    assert_eq!(keys.key(Direction::Backward), &array(KEY_BACKWARD));
    assert_eq!(keys.salt(Direction::Forward), &array(SALT_FORWARD));
    assert_eq!(keys.salt(Direction::Backward), &array(SALT_BACKWARD));
    assert_eq!(
        SessionKeys::derive(&array(SHARED_SECRET)).key(Direction::Forward),
        &array(KEY_FORWARD)
    );
}

#[test]
fn both_ends_derive_the_same_keys_and_a_forged_proof_is_refused() {
    let (x, created) = handshake();
    let hop = responder().public_key();
    let keys = complete(&x, &hop, &created.y, &created.auth).unwrap();
    for direction in [Direction::Forward, Direction::Backward] {
        assert_eq!(keys.key(direction), created.keys.key(direction));
        assert_eq!(keys.salt(direction), created.keys.salt(direction));
    }
    let mut forged = created.auth;
    forged[31] ^= 1;
    assert_eq!(complete(&x, &hop, &created.y, &forged).unwrap_err(), CryptoError::BadAuth);
    assert_eq!(complete(&x, &hop, &[0; 32], &created.auth).unwrap_err(), CryptoError::Exchange);
    // py-ipv8's proof covers only DH(y, X), not the hop's long-term key: a wrong hop key passes
    // the check, but the keys differ, so no layer of the real hop decrypts.
    let other = PrivateKey::from_bin(&unhex(KEY_A)).unwrap().public_key();
    let mut wrong = complete(&x, &other, &created.y, &created.auth).unwrap();
    assert_ne!(wrong.key(Direction::Forward), created.keys.key(Direction::Forward));
    let layer = wrong.encrypt(Direction::Forward, b"to the wrong hop");
    assert_eq!(created.keys.decrypt(Direction::Forward, &layer), Err(CryptoError::Decrypt));
}

#[test]
fn layers_are_byte_exact_and_count_their_nonces() {
    let (_, created) = handshake();
    let mut keys = created.keys;
    let forward = keys.encrypt(Direction::Forward, b"hello");
    assert_eq!(forward, unhex(FIRST_ENCRYPT_FORWARD_HELLO), "the first layer uses counter 2");
    let backward = keys.encrypt(Direction::Backward, b"hello");
    assert_eq!(backward, unhex(FIRST_ENCRYPT_BACKWARD_HELLO), "each direction counts on its own");
    assert_eq!(forward.len(), b"hello".len() + LAYER_OVERHEAD);
    let second = keys.encrypt(Direction::Forward, b"hello");
    assert_eq!(second[..8], 3_u64.to_be_bytes(), "the next layer, the next counter");
    assert_eq!(keys.decrypt(Direction::Forward, &second).unwrap(), b"hello");
    assert_eq!(keys.decrypt(Direction::Forward, &forward).unwrap(), b"hello", "no replay check");
    assert_eq!(keys.decrypt(Direction::Backward, &forward), Err(CryptoError::Decrypt));
    let mut tampered = forward.clone();
    tampered[10] ^= 0x40;
    assert_eq!(keys.decrypt(Direction::Forward, &tampered), Err(CryptoError::Decrypt));
    assert_eq!(keys.decrypt(Direction::Forward, &forward[..23]), Err(CryptoError::TooShort));
}

#[test]
fn cells_are_byte_exact_with_py_ipv8() {
    // A create for key A with X, as a plaintext cell with relay_early.
    let key_a = PrivateKey::from_bin(&unhex(KEY_A)).unwrap().public_key();
    let create = CreatePayload {
        circuit_id: 0x0102_0304,
        identifier: 0x0506,
        node_public_key: key_a.to_bin().to_vec(),
        key: unhex(X),
    }
    .to_bytes()
    .unwrap();
    let cell = Cell {
        circuit_id: 0x0102_0304,
        plaintext: true,
        relay_early: true,
        message: cell_message(2, &create),
    };
    let packet = cell.encode(COMMUNITY_ID);
    assert_eq!(packet, unhex(CREATE_CELL_CID01020304_IDENT0506_KEYA_X));
    assert_eq!(Cell::decode(&packet), Ok(cell.clone()));
    let inner = cell.inner_packet(COMMUNITY_ID);
    assert_eq!(inner[22], 2, "the inner message id");
    assert_eq!(inner[23..], [&[1, 2, 3, 4][..], &create[4..]].concat(), "the circuit id is back");

    // A data message in one forward layer, with the keys' first counter.
    let data = DataPayload {
        circuit_id: 0,
        dest_address: Address::Ip("1.2.3.4:5".parse().unwrap()),
        org_address: Address::Ip("0.0.0.0:0".parse().unwrap()),
        data: b"hi".to_vec(),
    };
    assert_eq!(cell_message(1, &data.to_bytes().unwrap()), unhex(DATA_PLAIN_MESSAGE));
    let (_, created) = handshake();
    let mut keys = created.keys;
    let layer = keys.encrypt(Direction::Forward, &unhex(DATA_PLAIN_MESSAGE));
    let cell =
        Cell { circuit_id: 0x0102_0304, plaintext: false, relay_early: false, message: layer };
    assert_eq!(cell.encode(COMMUNITY_ID), unhex(DATA_CELL_1LAYER_FORWARD_FIRST_USE_OF_KEYS));
}

#[test]
fn malformed_cells_are_refused_with_a_reason() {
    let cell = Cell { circuit_id: 9, plaintext: true, relay_early: false, message: vec![3, 1] };
    let packet = cell.encode(COMMUNITY_ID);
    assert_eq!(Cell::decode(&packet[..29]), Err(CellError::TooShort), "no message byte");
    assert_eq!(Cell::decode(&packet[..10]), Err(CellError::TooShort));
    let mut other = packet.clone();
    other[22] = 8;
    assert_eq!(Cell::decode(&other), Err(CellError::NotACell(8)));
    let mut flag = packet.clone();
    flag[27] = 2;
    assert_eq!(Cell::decode(&flag), Err(CellError::BadFlag));
    let mut data = packet;
    data[29] = 1;
    assert_eq!(Cell::decode(&data), Err(CellError::PlaintextNotAllowed(1)), "only create/created");
}

#[test]
fn candidate_lists_split_as_py_ipv8_splits_them() {
    let key = |n: u8| vec![n; 74];
    // py-ipv8 sends relay-only nodes, then the first exit twice, then the other exits.
    let offer = Candidates { relays: vec![key(1), key(2)], exits: vec![key(7), key(8)] };
    assert_eq!(offer.to_list(), [key(1), key(2), key(7), key(7), key(8)]);
    assert_eq!(Candidates::from_list(offer.to_list()), offer);
    // No exits: no separator, all relays; no relays: the list starts with the pair.
    let relays_only = Candidates { relays: vec![key(1)], exits: Vec::new() };
    assert_eq!(Candidates::from_list(relays_only.to_list()), relays_only);
    let exits_only = Candidates { relays: Vec::new(), exits: vec![key(9)] };
    assert_eq!(exits_only.to_list(), [key(9), key(9)]);
    assert_eq!(Candidates::from_list(exits_only.to_list()), exits_only);
    // At most four of each are offered.
    let many =
        Candidates { relays: (1..=6).map(key).collect(), exits: (10..=16).map(key).collect() };
    let list = many.to_list();
    assert_eq!(list.len(), 4 + 1 + 4);
    let back = Candidates::from_list(list);
    assert_eq!((back.relays.len(), back.exits.len()), (MAX_OFFERED, MAX_OFFERED));
}

#[test]
fn sealed_candidates_open_only_with_the_hops_keys() {
    let (x, created) = handshake();
    let mut hop_keys = created.keys.clone();
    let offer = Candidates { relays: vec![vec![3; 74]], exits: vec![vec![4; 74]] };
    let sealed = offer.seal(&mut hop_keys);
    let originator = complete(&x, &responder().public_key(), &created.y, &created.auth).unwrap();
    assert_eq!(Candidates::open(&sealed, &originator).unwrap(), offer);
    let mut tampered = sealed.clone();
    tampered[9] ^= 1;
    assert!(matches!(Candidates::open(&tampered, &originator), Err(CandidatesError::Crypto(_))));
    // A layer that opens but holds no list of keys.
    let mut keys = originator.clone();
    let not_a_list = keys.encrypt(Direction::Forward, &[5, 0, 9]);
    assert!(matches!(Candidates::open(&not_a_list, &originator), Err(CandidatesError::Decode(_))));
}
