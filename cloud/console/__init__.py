"""The brand's console (/console/): server-rendered pages for head office and store managers.

Accounts and roles (auth.py, access.py), signed session cookies (sessions.py), CSRF tokens
(csrf.py), the audit log of every change (audit.py), the summaries kept by the ingest
(facts.py), and one module per page.  `routes.console_app` is mounted by cloud/app.py.  This
package's __init__ imports nothing: the ingest reaches facts.py without the web stack.
"""
