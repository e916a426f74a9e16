"""Browsers and shoppers together, at a steady number of users:
``locust -f workshop/load/crowd.py --host URL``.

The spike's two kinds of visitor without its shape, and with more shoppers among them
(one in three, not one in ten), so that a drill of a minute or two places enough
orders to count: stage 03's drill (workshop/bench/experiments/drill.py) kills and adds app servers
while this crowd browses and checks out.
"""

from workshop.load import anonymous, shoppers


class Browser(anonymous.AnonymousVisitor):
    weight = 2


class Buyer(shoppers.Shopper):
    weight = 1
