"""Viva Engage (Yammer) REST API v1: feeds with newer_than / older_than,
posting, private messages and the documented rate limits
(https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits)."""
import pytest

from control import request


@pytest.fixture
def net(ctl):
    ann = ctl.viva_user("ann", full_name="Ann Smith")
    ben = ctl.viva_user("ben", full_name="Ben Jones")
    eng = ctl.viva_group("eng", [ann["id"], ben["id"]])
    sales = ctl.viva_group("sales", [ben["id"]], privacy="private")
    return ann, ben, eng, sales


def feed(emu, path, token):
    r = request(emu.url + path, token=token)
    assert r.status == 200, r.text()
    return r.json()


def ids(body):
    return [m["id"] for m in body["messages"]]


def test_newer_than_and_older_than(emu, ctl, net):
    ann, ben, eng, _ = net
    posted = [ctl.viva_message(ben["id"], body="m%d" % i, group_id=eng["id"])["id"] for i in range(25)]
    path = "/api/v1/messages/in_group/%d.json" % eng["id"]
    first = feed(emu, path, ann["token"])
    assert ids(first) == posted[:4:-1]                # newest 20, newest first
    assert first["meta"]["older_available"] is True
    older = feed(emu, path + "?older_than=%d" % ids(first)[-1], ann["token"])
    assert ids(older) == posted[4::-1] and older["meta"]["older_available"] is False
    # Polling: nothing new, then exactly the new ones.
    assert ids(feed(emu, path + "?newer_than=%d" % posted[-1], ann["token"])) == []
    new = [ctl.viva_message(ann["id"], body="n%d" % i, group_id=eng["id"])["id"] for i in range(2)]
    assert ids(feed(emu, path + "?newer_than=%d" % posted[-1], ann["token"])) == new[::-1]
    assert ids(feed(emu, path + "?limit=3", ann["token"])) == [new[1], new[0], posted[-1]]


def test_threaded_and_references(emu, ctl, net):
    ann, ben, eng, _ = net
    start = ctl.viva_message(ann["id"], body="starter", group_id=eng["id"])
    reply = ctl.viva_message(ben["id"], body="reply", replied_to_id=start["id"])
    assert reply["group_id"] == eng["id"] and reply["thread_id"] == start["id"]
    body = feed(emu, "/api/v1/messages/my_feed.json?threaded=true", ann["token"])
    assert ids(body) == [start["id"]]
    body = feed(emu, "/api/v1/messages/my_feed.json", ann["token"])
    refs = {(r["type"], r["id"]) for r in body["references"]}
    assert {("user", ann["id"]), ("user", ben["id"]), ("group", eng["id"]), ("thread", start["id"])} <= refs
    assert body["meta"]["current_user_id"] == ann["id"]


def test_feeds_select_what_the_user_may_see(emu, ctl, net):
    ann, ben, eng, sales = net
    public = ctl.viva_message(ben["id"], body="all company")
    in_eng = ctl.viva_message(ben["id"], body="eng", group_id=eng["id"])
    secret = ctl.viva_message(ben["id"], body="deal", group_id=sales["id"])
    dm = ctl.viva_message(ben["id"], body="hi ann", direct_to_user_ids=[ann["id"]])
    assert set(ids(feed(emu, "/api/v1/messages/my_feed.json", ann["token"]))) == {public["id"], in_eng["id"]}
    assert set(ids(feed(emu, "/api/v1/messages.json", ann["token"]))) == {public["id"], in_eng["id"]}
    priv = feed(emu, "/api/v1/messages/private.json", ann["token"])
    assert ids(priv) == [dm["id"]]
    assert priv["messages"][0]["direct_message"] is True and priv["messages"][0]["privacy"] == "private"
    assert request(emu.url + "/api/v1/messages/in_group/%d.json" % sales["id"], token=ann["token"]).status == 404
    assert request(emu.url + "/api/v1/messages/in_group/99.json", token=ann["token"]).status == 404
    assert secret["id"] in ids(feed(emu, "/api/v1/messages/in_group/%d.json" % sales["id"], ben["token"]))
    groups = feed(emu, "/api/v1/groups.json", ann["token"])
    assert [g["name"] for g in groups] == ["eng"]


def test_my_feed_serves_every_group_of_the_user_with_newer_than(emu, ctl, net):
    """One my_feed request covers every group the user is in (private ones
    too) and messages without a group; each message names its group_id, the
    references name the groups; newer_than and older_than page it like any
    message list; the request log keeps the query (not a token)."""
    ann, ben, eng, sales = net
    ops = ctl.viva_group("ops", [ann["id"], ben["id"]], privacy="private")
    mark = ctl.viva_message(ben["id"], body="mark", group_id=eng["id"])["id"]
    sent = [ctl.viva_message(ben["id"], body="m%d" % i,
                             group_id=[eng["id"], ops["id"], None][i % 3])["id"] for i in range(24)]
    ctl.viva_message(ben["id"], body="not ann's", group_id=sales["id"])
    first = feed(emu, "/api/v1/messages/my_feed.json?newer_than=%d" % mark, ann["token"])
    assert ids(first) == sent[:3:-1] and first["meta"]["older_available"] is True
    groups = {m["id"]: m["group_id"] for m in first["messages"]}
    assert groups[sent[-1]] is None and groups[sent[-2]] == ops["id"] and groups[sent[-3]] == eng["id"]
    refs = {(r["type"], r["id"]) for r in first["references"]}
    assert {("group", eng["id"]), ("group", ops["id"])} <= refs
    rest = feed(emu, "/api/v1/messages/my_feed.json?newer_than=%d&older_than=%d"
                % (mark, ids(first)[-1]), ann["token"])
    assert ids(rest) == sent[3::-1] and rest["meta"]["older_available"] is False
    logged = [r for r in ctl.requests() if r["path"] == "/api/v1/messages/my_feed.json"]
    assert [r["query"] for r in logged] == [{"newer_than": str(mark)},
                                            {"newer_than": str(mark), "older_than": str(ids(first)[-1])}]


def test_post_messages(emu, ctl, net):
    ann, ben, eng, _ = net
    r = request(emu.url + "/api/v1/messages.json", "POST", token=ann["token"],
                form={"body": "Hello <team> & all", "group_id": eng["id"]})
    assert r.status == 201
    msg = r.json()["messages"][0]
    assert msg["group_id"] == eng["id"] and msg["body"]["plain"] == "Hello <team> & all"
    assert msg["body"]["rich"] == "Hello &lt;team&gt; &amp; all"
    r = request(emu.url + "/api/v1/messages.json", "POST", token=ben["token"],
                json_body={"body": "reply", "replied_to_id": msg["id"]})
    reply = r.json()["messages"][0]
    assert r.status == 201 and reply["thread_id"] == msg["id"] and reply["group_id"] == eng["id"]
    r = request(emu.url + "/api/v1/messages.json", "POST", token=ann["token"],
                form={"body": "private", "direct_to_user_ids": "%d" % ben["id"]})
    assert r.json()["messages"][0]["direct_message"] is True
    for bad, code in (({"body": ""}, 400), ({"body": "x", "group_id": 5}, 404),
                      ({"body": "x", "replied_to_id": 5}, 404), ({"body": "x", "direct_to_user_ids": "5"}, 400)):
        assert request(emu.url + "/api/v1/messages.json", "POST", token=ann["token"], form=bad).status == code
    posted = ctl.viva_posted()
    assert [p["body"] for p in posted] == ["Hello <team> & all", "reply", "private"]
    assert posted[2]["direct_to_user_ids"] == [ben["id"]]


def test_message_rate_limit(emu, ctl, net):
    ann, ben, eng, _ = net
    ctl.clock(set=1_700_000_010, freeze=True)
    path = emu.url + "/api/v1/messages/in_group/%d.json" % eng["id"]
    codes = [request(path, token=ann["token"]).status for _ in range(11)]
    assert codes == [200] * 10 + [429]
    # Posting counts as a message request too; other endpoints have their own limit.
    assert request(emu.url + "/api/v1/messages.json", "POST", token=ann["token"],
                   form={"body": "x"}).status == 429
    assert request(emu.url + "/api/v1/users/current.json", token=ann["token"]).status == 200
    assert request(path, token=ben["token"]).status == 200          # per user
    ctl.clock(advance=30)                                           # next 30 s window
    assert request(path, token=ann["token"]).status == 200


def test_other_limit_and_configuration(emu, ctl, net):
    ann, _, _, _ = net
    ctl.clock(set=1_700_000_000, freeze=True)
    codes = [request(emu.url + "/api/v1/groups.json", token=ann["token"]).status for _ in range(11)]
    assert codes == [200] * 10 + [429]
    ctl.limits(viva_messages={"limit": 2, "period": 60})
    path = emu.url + "/api/v1/messages/my_feed.json"
    assert [request(path, token=ann["token"]).status for _ in range(3)] == [200, 200, 429]
