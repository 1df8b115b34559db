"""The public web pages ([web]): the board for anyone, and notes without a Telegram account.

server.py  WebServer: aiohttp's server with Jinja2 templates (autoescaping), started with the
           intake like the ops endpoint, in polling and webhook mode, on every replica
pages.py   the pages and forms: /, /thema/<code>, notes written, changed and deleted by the
           same browser, /privacy, /toegankelijkheid; the rules come from bot/village/
security.py the browser token (only its hash stored), CSRF, the visitor's address behind a
           named proxy, the note limit, the strict headers on every response
"""
