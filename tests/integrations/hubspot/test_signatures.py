"""Webhook signatures v1, v2, v3: the worked examples of API_CONTRACTS §1.11, byte for byte,
and the tampering a forger would try."""

from __future__ import annotations

import pytest

from salesauto.integrations.hubspot.signatures import (
    SignatureInvalid,
    decode_uri,
    sign_v1,
    sign_v2,
    sign_v3,
    verify_request,
    verify_v1,
    verify_v2,
    verify_v3,
)

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
    b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
)
URI = "https://www.example.com/webhook_uri"
TIMESTAMP = "1564113600000"
V1 = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
V2_GET = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
V2_POST = "276a2548f0a0181a076d456de09c0e7477ae101ccc16a11600488a77714e9b8d"
V3 = "DxmVAjFNa2xfF3YgQjdZP6TNcok9k1oaH7UXombPtvw="
SENT_AT = 1564113600.0  # the timestamp in seconds: "now" for a fresh delivery


def v3_headers(signature: str = V3, timestamp: str = TIMESTAMP) -> dict[str, str]:
    return {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}


def test_documented_examples_reproduce_byte_for_byte() -> None:
    assert sign_v1(BODY, SECRET) == V1
    assert sign_v2(b"", "GET", URI, SECRET) == V2_GET
    assert sign_v2(BODY, "POST", URI, SECRET) == V2_POST
    assert sign_v3(BODY, "POST", URI, TIMESTAMP, SECRET) == V3


def test_valid_signatures_verify() -> None:
    verify_v1(BODY, {"X-HubSpot-Signature": V1}, SECRET)
    verify_v2(b"", "GET", URI, {"x-hubspot-signature": V2_GET}, SECRET)
    verify_v2(BODY, "POST", URI, {"X-HubSpot-Signature": V2_POST}, SECRET)
    verify_v3(BODY, "POST", URI, v3_headers(), SECRET, now=SENT_AT + 60)
    both = {**v3_headers(), "X-HubSpot-Signature": V1, "X-HubSpot-Signature-Version": "v1"}
    assert verify_request(BODY, "POST", URI, both, SECRET, now=SENT_AT) == "v3"
    legacy = {"X-HubSpot-Signature": V2_POST, "X-HubSpot-Signature-Version": "v2"}
    assert verify_request(BODY, "POST", URI, legacy, SECRET) == "v2"
    assert verify_request(BODY, "POST", URI, {"X-HubSpot-Signature": V1}, SECRET) == "v1"


def test_v3_decodes_hubspots_listed_escapes_in_the_uri() -> None:
    encoded = "https%3A%2F%2Fwww.example.com%2Fwebhook_uri"
    assert decode_uri(encoded) == URI
    verify_v3(BODY, "POST", encoded, v3_headers(), SECRET, now=SENT_AT)
    assert decode_uri("https://x.io/a%20b%2a") == "https://x.io/a%20b*"  # %20 is not listed


@pytest.mark.parametrize(
    ("body", "uri", "timestamp"),
    [
        pytest.param(BODY.replace(b'"objectId":123', b'"objectId":124'), URI, TIMESTAMP, id="body"),
        pytest.param(BODY, URI + "?x=1", TIMESTAMP, id="uri"),
        pytest.param(BODY, URI, "1564113600001", id="timestamp"),
    ],
)
def test_v3_rejects_tampering(body: bytes, uri: str, timestamp: str) -> None:
    with pytest.raises(SignatureInvalid) as refused:
        verify_v3(body, "POST", uri, v3_headers(timestamp=timestamp), SECRET, now=SENT_AT)
    assert refused.value.reason == "mismatch"
    assert SECRET not in refused.value.message


def test_v3_rejects_a_stale_or_far_future_timestamp() -> None:
    with pytest.raises(SignatureInvalid) as stale:
        verify_v3(BODY, "POST", URI, v3_headers(), SECRET, now=SENT_AT + 301)
    assert stale.value.reason == "stale_timestamp"
    verify_v3(BODY, "POST", URI, v3_headers(), SECRET, now=SENT_AT + 299)
    with pytest.raises(SignatureInvalid) as future:
        verify_v3(BODY, "POST", URI, v3_headers(), SECRET, now=SENT_AT - 301)
    assert future.value.reason == "stale_timestamp"


def test_v1_and_v2_reject_tampering_and_missing_headers() -> None:
    with pytest.raises(SignatureInvalid) as tampered:
        verify_v1(BODY + b" ", {"X-HubSpot-Signature": V1}, SECRET)
    assert tampered.value.reason == "mismatch"
    with pytest.raises(SignatureInvalid):
        verify_v2(BODY, "POST", URI + "/other", {"X-HubSpot-Signature": V2_POST}, SECRET)
    with pytest.raises(SignatureInvalid):
        verify_v2(BODY, "PUT", URI, {"X-HubSpot-Signature": V2_POST}, SECRET)
    with pytest.raises(SignatureInvalid) as missing:
        verify_v1(BODY, {}, SECRET)
    assert missing.value.reason == "missing_header"
    with pytest.raises(SignatureInvalid) as missing_ts:
        verify_v3(BODY, "POST", URI, {"X-HubSpot-Signature-v3": V3}, SECRET, now=SENT_AT)
    assert missing_ts.value.reason == "missing_header"
    with pytest.raises(SignatureInvalid) as bad_ts:
        verify_v3(BODY, "POST", URI, v3_headers(timestamp="yesterday"), SECRET, now=SENT_AT)
    assert bad_ts.value.reason == "bad_timestamp"
    with pytest.raises(SignatureInvalid) as version:
        verify_request(
            BODY,
            "POST",
            URI,
            {"X-HubSpot-Signature": V1, "X-HubSpot-Signature-Version": "v9"},
            SECRET,
        )
    assert version.value.reason == "unsupported_version"
