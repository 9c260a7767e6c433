"""Home page, language switch, error pages, health check, security headers, CSRF."""

from config import TestConfig
from festival.app import create_app
from tests.conftest import make_app


def test_home_shows_the_current_festival(client, people):
    page = client.get("/").get_data(as_text=True)
    assert "Ngày hội Lao động sáng tạo ngành Dệt May lần thứ III" in page
    assert "Trường Đại học Công nghiệp Dệt May Hà Nội" in page
    assert "Lần thứ" in page and "Chương trình" in page


def test_home_without_a_festival_says_so(client):
    page = client.get("/").get_data(as_text=True)
    assert "Chưa có ngày hội nào" in page


def test_language_switch_to_english_and_back(client, people):
    response = client.post("/lang/en", data={"next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Programme" in page and "Sign in" in page
    assert "Chương trình" not in page

    client.post("/lang/vi")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Chương trình" in page


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post("/lang/xx", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_needs_post(client):
    assert client.get("/lang/en").status_code == 405


def test_404_page_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)
    client.post("/lang/en")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_404_as_json_for_json_clients(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "Không tìm thấy trang"


def test_413_page_for_an_oversized_request(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/auth/login", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Tệp hoặc dữ liệu gửi lên quá lớn" in response.get_data(as_text=True)


def test_500_page_is_friendly_and_rolls_back(tmp_path):
    app = make_app(tmp_path)

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken", view_func=broken)
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Đã có lỗi xảy ra" in page and "boom" not in page


def test_healthz_answers_200_with_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok", "rate_limits": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    config = type("Broken", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x.db"})
    response = create_app(config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "unavailable",
        "queue": "ok",
        "rate_limits": "ok",
    }


def test_responses_carry_request_id_and_security_headers(client):
    response = client.get("/", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert len(client.get("/").headers["X-Request-ID"]) == 12


def test_pages_load_no_remote_assets(client, people):
    page = client.get("/").get_data(as_text=True)
    for marker in ("http://", "https://", "//cdn", "fonts.googleapis"):
        assert marker not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_post_without_csrf_token_is_rejected(tmp_path, people):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "a@b.vn", "password": "whatever-1"})
    assert response.status_code == 400
    assert "Phiên làm việc của biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.post("/lang/en").status_code == 400


def test_post_with_csrf_token_is_accepted(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/auth/login", data={"email": "a@b.vn", "password": "whatever-1", "csrf_token": token})
    assert response.status_code == 200
    assert "E-mail hoặc mật khẩu không đúng." in response.get_data(as_text=True)


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    with client.get(response.headers["Location"]) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
