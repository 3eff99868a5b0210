from django.contrib.auth.hashers import check_password, make_password


def test_pin_hash_is_argon2id_over_peppered_hmac(settings):
    encoded = make_password("246810")
    assert encoded.startswith("argon2p$argon2id$")
    assert check_password("246810", encoded)
    assert not check_password("246811", encoded)


def test_database_dump_without_pepper_reveals_nothing(settings):
    encoded = make_password("246810")
    settings.ABRI_PIN_PEPPER = "another-pepper"
    assert not check_password("246810", encoded)
