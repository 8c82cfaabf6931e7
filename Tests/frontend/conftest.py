def pytest_configure(config):
    config.addinivalue_line("markers", "token(value): the API token the page starts with (None: signed out)")
