from django.conf import settings


def test_danish_even_when_the_browser_asks_for_english(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "da"
    assert '<html lang="da">' in response.content.decode()


def test_english_once_chosen_with_the_switch(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Skip to content" in page


def test_unknown_language_cookie_falls_back_to_danish(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/")["Content-Language"] == "da"
