import hashlib


def token_hash(token: str) -> str:
    """What is kept of a secret token sent to someone (a sign-up link, a shared link): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
