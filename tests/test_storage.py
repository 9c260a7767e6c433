"""The storage interface's contract, against a folder and against S3 (moto's in-process mock of AWS)."""

import io
import time
import urllib.request
from datetime import datetime, timezone

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from festival.core import storage
from tests.conftest import make_app

BUCKET = "festival-test"


@pytest.fixture(params=["local", "s3"])
def backend(request, tmp_path):
    """One area's store on each backend."""
    if request.param == "local":
        yield storage.LocalStore(tmp_path / "area")
        return
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield storage.S3Store(client, BUCKET, "pre/uploads/")


def test_put_then_read_open_stat_and_exists(backend):
    backend.put("exhibits/a1.jpg", b"\xff\xd8\xffpicture")
    assert backend.exists("exhibits/a1.jpg")
    assert backend.read("exhibits/a1.jpg") == b"\xff\xd8\xffpicture"
    with backend.open("exhibits/a1.jpg") as handle:
        assert handle.read() == b"\xff\xd8\xffpicture"
    found = backend.stat("exhibits/a1.jpg")
    assert found.size == 10 and found.key == "exhibits/a1.jpg"
    assert abs((datetime.now(timezone.utc) - found.modified).total_seconds()) < 120


def test_put_from_a_stream_and_replace(backend):
    backend.put("prints/big.pdf", io.BytesIO(b"x" * (3 * storage.CHUNK + 5)))
    assert backend.stat("prints/big.pdf").size == 3 * storage.CHUNK + 5
    backend.put("prints/big.pdf", b"short")
    assert backend.read("prints/big.pdf") == b"short"


def test_missing_object_raises_file_not_found(backend):
    assert not backend.exists("nothing/here.pdf")
    for call in (backend.read, backend.open, backend.stat):
        with pytest.raises(FileNotFoundError):
            call("nothing/here.pdf")


def test_delete_removes_and_ignores_missing(backend):
    backend.put("a/one.txt", b"1")
    backend.put("a/two.txt", b"2")
    backend.delete("a/one.txt", None, "a/never.txt")
    assert not backend.exists("a/one.txt")
    assert backend.exists("a/two.txt")


def test_list_by_prefix(backend):
    for key in ("a/1.txt", "a/2.txt", "b/3.txt"):
        backend.put(key, key.encode())
    assert sorted(o.key for o in backend.list("a/")) == ["a/1.txt", "a/2.txt"]
    assert sorted(o.key for o in backend.list()) == ["a/1.txt", "a/2.txt", "b/3.txt"]
    assert {o.size for o in backend.list("b/")} == {7}


@pytest.mark.parametrize("key", ["../secret", "/etc/passwd", "a/../../b", "a//b", "", "a/b\x00", ".hidden/x"])
def test_keys_outside_the_area_are_refused(backend, key):
    with pytest.raises(ValueError):
        backend.put(key, b"x")
    with pytest.raises(ValueError):
        backend.exists(key)


def test_local_store_writes_whole_files_only_and_leaves_no_partial(tmp_path):
    files = storage.LocalStore(tmp_path)

    class Broken(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise OSError(28, "No space left on device")
            return super().read(size)

    with pytest.raises(OSError):
        files.put("x/y.pdf", Broken(b"z" * (2 * storage.CHUNK)))
    assert not files.exists("x/y.pdf")
    assert list((tmp_path / "x").iterdir()) == []
    assert files.url("x/y.pdf", 60) is None


def test_s3_presigned_url_is_signed_and_expires(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = storage.s3_client({"STORAGE_S3_REGION": "us-east-1"})
        client.create_bucket(Bucket=BUCKET)
        files = storage.S3Store(client, BUCKET, "p/")
        files.put("a.pdf", b"%PDF-1.7")
        url = files.url("a.pdf", 300, download_name="Giấy chứng nhận.pdf")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert "/festival-test/p/a.pdf" in url
    assert "Gi%25E1%25BA%25A5y" in url  # the download name travels, encoded, in the signed URL


def test_s3_unreachable_is_an_os_error_not_a_crash():
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=boto3.session.Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    files = storage.S3Store(client, BUCKET, "")
    with pytest.raises(OSError) as raised:
        files.put("a.txt", b"x")
    assert not isinstance(raised.value, FileNotFoundError)


def test_storage_url_chooses_the_backend(tmp_path, monkeypatch):
    local = make_app(tmp_path)
    with local.app_context():
        assert isinstance(storage.store("uploads"), storage.LocalStore)
        assert storage.store("uploads").root == tmp_path / "uploads"
        assert storage.store("outbox").root == tmp_path / "outbox"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    remote = make_app(tmp_path, STORAGE_URL="s3://festival/site-a", STORAGE_S3_REGION="us-east-1")
    with remote.app_context():
        uploads = storage.store("uploads")
        assert isinstance(uploads, storage.S3Store)
        assert (uploads.bucket, uploads.prefix) == ("festival", "site-a/uploads/")
        assert storage.store("prints").prefix == "site-a/prints/"
    with pytest.raises(ValueError, match="s3://bucket/prefix"):
        make_app(tmp_path, STORAGE_URL="ftp://nowhere")


def test_send_streams_an_s3_object_with_conditional_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="festival")
        app = make_app(tmp_path, STORAGE_URL="s3://festival", STORAGE_S3_REGION="us-east-1")

        @app.route("/probe/<path:key>")
        def probe(key):
            return storage.send("prints", key, "application/pdf", "bản in.pdf", as_attachment=True)

        with app.app_context():
            storage.store("prints").put("1/out.pdf", b"%PDF-" + b"p" * 100_000)
        client = app.test_client()
        first = client.get("/probe/1/out.pdf")
        assert first.status_code == 200
        assert first.data == b"%PDF-" + b"p" * 100_000
        assert first.headers["Content-Length"] == "100005"
        assert "attachment" in first.headers["Content-Disposition"]
        again = client.get("/probe/1/out.pdf", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert client.get("/probe/1/none.pdf").status_code == 404


def test_moto_server_is_a_real_s3_endpoint(tmp_path):
    """What the two-machine test relies on: a ThreadedMotoServer on loopback speaks S3 over HTTP."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        client = boto3.client(
            "s3",
            endpoint_url=f"http://{host}:{port}",
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        client.create_bucket(Bucket=BUCKET)
        files = storage.S3Store(client, BUCKET, "x/")
        files.put("a.txt", b"hello")
        deadline = time.monotonic() + 5
        while not files.exists("a.txt") and time.monotonic() < deadline:
            time.sleep(0.05)
        with urllib.request.urlopen(files.url("a.txt", 60)) as answer:
            assert answer.read() == b"hello"
    finally:
        server.stop()
