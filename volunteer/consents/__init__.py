"""Consent to the privacy notice: asked for at registration and with a resident's request,
recorded with the notice's version. Below members and requests, which ask for it; ``privacy``
shows and erases it."""
