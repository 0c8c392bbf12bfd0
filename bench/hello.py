"""A bare Flask "hello": the ceiling our cached answers are compared with, on the same machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    """The smallest possible answer."""
    return "hello"
