//! The IPv8 documentation's older attestation tutorial (`/attestation?type=...`, peers named by
//! base64 mids) between two loopback nodes: enrolment and verification with the tutorial's
//! shapes, and its error answers.
#![cfg(feature = "rest")]

use crate::rest_support;

use rest_support::{encoded, node, poll, request, tracker};
use serde_json::{Value, json};

fn non_empty(body: &Value) -> bool {
    body.as_array().is_some_and(|a| !a.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_older_attestation_tutorial_runs_with_its_shapes() {
    let (_tracker, tracker_address) = tracker();
    let dirs = [tempfile::tempdir().expect("a dir"), tempfile::tempdir().expect("a dir")];
    let (_p1, one) = node(dirs[0].path(), tracker_address).await;
    let (_p2, two) = node(dirs[1].path(), tracker_address).await;

    // Both pseudonyms start on first use, then find each other through the tracker.
    assert_eq!(request(one, "GET", "/attestation?type=peers", None).await.0, 200);
    assert_eq!(request(two, "GET", "/attestation?type=peers", None).await.0, 200);
    let peers1 = poll(one, "/attestation?type=peers", non_empty).await;
    let peers2 = poll(two, "/attestation?type=peers", non_empty).await;
    let (mid2, mid1) = (peers1[0].as_str().expect("a mid"), peers2[0].as_str().expect("a mid"));
    assert_eq!(mid1.len(), 28, "a base64 mid");
    assert_eq!(request(one, "GET", "/attestation?type=attributes", None).await, (200, json!([])));

    let path =
        format!("/attestation?type=request&mid={}&attribute_name=my_attribute", encoded(mid2));
    assert_eq!(request(one, "POST", &path, None).await, (200, json!({"success": true})));
    let outstanding = poll(two, "/attestation?type=outstanding", non_empty).await;
    assert_eq!(outstanding, json!([[mid1, "my_attribute", "e30="]]));
    let path = format!(
        "/attestation?type=attest&mid={}&attribute_name=my_attribute&attribute_value=dmFsdWU%3D",
        encoded(mid1)
    );
    assert_eq!(request(two, "POST", &path, None).await, (200, json!({"success": true})));
    let attributes =
        poll(one, "/attestation?type=attributes", |b| b[0][3] != json!("") && non_empty(b)).await;
    assert_eq!(attributes[0][0], "my_attribute");
    assert_eq!(attributes[0][3], json!(mid2), "the attester's mid");
    assert_eq!(attributes[0][2]["schema"], "id_metadata");
    let hash = attributes[0][1].as_str().expect("a hash").to_owned();
    assert_eq!(request(two, "GET", "/attestation?type=attributes", None).await, (200, json!([])));
    let theirs = format!("/attestation?type=attributes&mid={}", encoded(mid1));
    assert_eq!(
        request(two, "GET", &theirs, None).await.1[0][1],
        json!(hash),
        "disclosed to the attester"
    );

    let path = format!(
        "/attestation?type=verify&mid={}&attribute_hash={}&attribute_values=dmFsdWU%3D",
        encoded(mid1),
        encoded(&hash)
    );
    assert_eq!(request(two, "POST", &path, None).await, (200, json!({"success": true})));
    let waiting = poll(one, "/attestation?type=outstanding_verify", non_empty).await;
    assert_eq!(waiting, json!([[mid2, "my_attribute"]]));
    let path =
        format!("/attestation?type=allow_verify&mid={}&attribute_name=my_attribute", encoded(mid2));
    assert_eq!(request(one, "POST", &path, None).await, (200, json!({"success": true})));
    let output = poll(two, "/attestation?type=verification_output", |b| {
        b[&hash][0][1].as_f64().is_some_and(|m| m > 0.0)
    })
    .await;
    assert_eq!(output[&hash][0][0], "dmFsdWU=");
    assert!(output[&hash][0][1].as_f64().expect("a match") > 0.99, "{output}");
}

#[tokio::test]
async fn bad_queries_get_the_tutorials_errors() {
    let (_tracker, tracker_address) = tracker();
    let dir = tempfile::tempdir().expect("a dir");
    let (_p, rest) = node(dir.path(), tracker_address).await;
    let missing = json!({"error": "parameters or type missing"});
    assert_eq!(request(rest, "GET", "/attestation", None).await, (400, missing.clone()));
    assert_eq!(request(rest, "POST", "/attestation", None).await, (400, missing));
    let wrong = json!({"error": "type argument incorrect"});
    assert_eq!(
        request(rest, "GET", "/attestation?type=nonsense", None).await,
        (400, wrong.clone())
    );
    assert_eq!(request(rest, "POST", "/attestation?type=nonsense", None).await, (400, wrong));
    let unknown = json!({"error": "peer unknown"});
    let path = "/attestation?type=request&mid=AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D&attribute_name=x";
    assert_eq!(request(rest, "POST", path, None).await, (400, unknown));
    let (status, body) = request(
        rest,
        "POST",
        "/attestation?type=attest&mid=AA%3D%3D&attribute_name=x&attribute_value=AA%3D%3D",
        None,
    )
    .await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!("KeyError")));
    let (status, _) = request(rest, "POST", "/attestation?type=verify&mid=AA%3D%3D", None).await;
    assert_eq!(status, 400, "a missing argument is py-ipv8's KeyError, as the client's error");
}

/// Found by `cargo xtask api-fuzz`: arguments py-ipv8 raises an exception on (missing, not
/// base64, an unknown format, metadata that is not JSON, a hash of the wrong size) get its error
/// body, but with `400`, never a server error.
#[tokio::test]
async fn malformed_arguments_are_the_clients_error() {
    let (_tracker, tracker_address) = tracker();
    let dir = tempfile::tempdir().expect("a dir");
    let (_p, rest) = node(dir.path(), tracker_address).await;
    let mid = "mid=AAAAAAAAAAAAAAAAAAAAAAAAAAA%3D";
    let cases = [
        (format!("type=request&{mid}"), "KeyError"),
        (format!("type=request&{mid}&attribute_name=x&id_format=nonsense"), "KeyError"),
        (format!("type=request&{mid}&attribute_name=x&metadata=%25%25"), "Error"),
        (format!("type=request&{mid}&attribute_name=x&metadata=WzFd"), "JSONDecodeError"),
        (format!("type=attest&{mid}&attribute_name=x&attribute_value=%25"), "Error"),
        (format!("type=allow_verify&{mid}&attribute_name=x"), "KeyError"),
        (format!("type=verify&{mid}&attribute_hash=AA%3D%3D&attribute_values=AA%3D%3D"), "Error"),
        (format!("type=verify&{mid}&attribute_hash=%25&attribute_values=AA%3D%3D"), "Error"),
    ];
    for (query, code) in cases {
        let (status, body) = request(rest, "POST", &format!("/attestation?{query}"), None).await;
        let shape = (status, &body["success"], &body["error"]["code"]);
        assert_eq!(shape, (400, &json!(false), &json!(code)), "{query}: {body}");
    }
}
