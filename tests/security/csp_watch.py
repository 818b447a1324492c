"""Collects Content-Security-Policy violations in a Playwright page (journeys assert there are none)."""

COLLECTOR = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline') + ' @' + event.sourceFile + ':' + event.lineNumber);
});
"""


def watch_csp(page):
    """Install the collector on every document the page loads; returns a reader of violations so far."""
    page.add_init_script(COLLECTOR)
    seen = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)

    def violations():
        try:
            in_page = page.evaluate("window.__cspViolations || []")
        except Exception:  # noqa: BLE001 - a page mid-navigation has no window to read
            in_page = []
        return sorted(set(in_page) | set(seen))

    return violations
