"""Talkback: comments, moderation and share links for any blog.

Everything is imported inside `create_app`, as in Flask's tutorial: importing a pure module
such as `service.spam.scoring` or `service.moderation.sanitise` must not load Flask,
SQLAlchemy and every model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from service.config import Config


def _load_config(app: Flask, config: type[Config] | str | dict | None) -> None:
    from service.config import CONFIGS, ProductionConfig, config_from_env
    from service.http import limits

    overrides: dict = {}
    if isinstance(config, dict):
        overrides = config
        config = overrides.get("TALKBACK_ENV")
    if isinstance(config, str):
        config = CONFIGS[config]
    config = config or config_from_env()
    if config is ProductionConfig:
        ProductionConfig.validate()
    app.config.from_object(config)
    app.config.update(overrides)
    limits.validate(app.config)


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies, take the reader's address and scheme from their X-Forwarded-*
    headers: rate limits and the spam scorer's network signals need the reader, not nginx."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def create_app(config: type[Config] | str | dict | None = None) -> Flask:
    """Build the app; `config` is a Config class, its name, or a dict of overrides."""
    from pathlib import Path

    from flask import Flask

    import service.models  # noqa: F401 - registers every table before Alembic looks
    from service import migrations, queue
    from service.comments import page_cache
    from service.config import ROOT
    from service.extensions import csrf, db, limiter, ping_when_idle
    from service.http.guards import refuse_nul_bytes
    from service.http.handlers import register_error_handlers
    from service.http.hosts import http_url
    from service.http.validation import IdConverter

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    _load_config(app, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["SPAM_MODEL_DIR"]).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    if app.config["DATABASE_PING_AFTER_IDLE_SECONDS"] is not None:
        with app.app_context():
            ping_when_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    migrations.init_app(app, db, ROOT / "migrations")  # Alembic loads only for `flask db`
    csrf.init_app(app)
    register_error_handlers(app)  # first: its after_request hook runs after the limiter's
    limiter.init_app(app)
    queue.make_celery(app)
    page_cache.init_app(app)  # wraps wsgi_app in the page front: inside ProxyFix
    _trust_proxies(app)
    app.url_map.converters["id"] = IdConverter  # before any route uses <id:...>
    app.before_request(refuse_nul_bytes)
    app.add_template_filter(http_url)
    _register_blueprints(app)
    _register_commands(app)
    _subscribe_to_events()
    return app


def _register_blueprints(app: Flask) -> None:
    from service.accounts.sites_views import bp as sites
    from service.accounts.views import bp as accounts
    from service.demo.views import bp as demo
    from service.extensions import csrf
    from service.health.views import bp as health
    from service.moderation.api import bp as moderation_api
    from service.moderation.views import bp as dashboard
    from service.notifications.views import bp as email_actions
    from service.openapi.views import bp as openapi
    from service.porting.views import bp as porting_dashboard
    from service.privacy.views import bp as privacy_dashboard
    from service.replies.views import bp as reader_mail_links
    from service.replies.views import one_click as one_click_unsubscribe
    from service.shares.views import bp as shares
    from service.widget.api import bp as comments_api
    from service.widget.views import bp as widget

    for blueprint in (comments_api, moderation_api, shares):
        # JSON API: no cookies are read, so there is nothing for CSRF to forge.
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    app.register_blueprint(openapi)  # a static document: no CORS (not the widget's blueprint)
    # RFC 8058: mail clients POST `List-Unsubscribe=One-Click` with no token of ours; the
    # signed URL is the only credential and no cookie is read.
    csrf.exempt(one_click_unsubscribe)
    app.register_blueprint(one_click_unsubscribe)
    app.register_blueprint(demo)
    app.register_blueprint(health)  # GET only, no cookies
    app.register_blueprint(widget)  # embed.js and the no-JS thread page: no cookies, no forms
    app.register_blueprint(dashboard)  # HTML forms: CSRF-protected, never exempt
    app.register_blueprint(accounts)  # sign-in, password reset, tokens: CSRF-protected too
    app.register_blueprint(sites)  # the owners' Sites page: CSRF-protected too
    app.register_blueprint(email_actions)  # confirmation forms: CSRF-protected too
    app.register_blueprint(reader_mail_links)  # reply-mail confirmation form: CSRF-protected
    app.register_blueprint(porting_dashboard)  # owner upload/download forms: CSRF-protected
    app.register_blueprint(privacy_dashboard)  # owner personal-data export: CSRF-protected


def _register_commands(app: Flask) -> None:
    from service.cli import register

    register(app)


def _subscribe_to_events() -> None:
    """Connect the domains that react to moderation's events (blinker ignores repeats)."""
    from service.moderation import events
    from service.notifications import services as notifications
    from service.replies import services as replies
    from service.spam import decisions

    events.comment_routed.connect(notifications.comment_routed)
    events.comment_moderated.connect(notifications.comment_moderated)
    # decisions, not learning: the web must not load the model to queue a lesson.
    events.comment_moderated.connect(decisions.queue_lesson)
    events.comment_routed.connect(replies.comment_published)
    events.comment_moderated.connect(replies.comment_published)
