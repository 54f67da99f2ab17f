"""The associate's phone (导购工作台, issue 21 item 7): `/a/`.

- accounts.py: associates' accounts (scrypt, lockout), the brand's 话术 and allowed coupons
- session.py: the signed session cookie with its expiry, and the CSRF token of its forms
- workbench.py: today's tasks for *their* members, the customer card, done with a note, a
  coupon sent, their sales and funnel
- pages.py, routes.py: the server-rendered, escaped, phone-width pages
"""
