"""The use cases. The only place where business rules are applied: permissions, state, audit.

Every function takes the ``Core`` (store, clock, hasher) and, when someone is acting, the ``Actor``.
"""
