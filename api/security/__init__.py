"""Who is calling, and may they: bearer tokens checked against a JWKS, and route policies.

Tokens follow Maskinporten: a signed JWT with ``scope`` (space-separated) and the client
organisation in ``consumer.ID`` as ``0192:<organisation number>``. The organisation
number decides the role (:mod:`schemas.organisations`). A route declares its policy with
one parameter (the annotated forms live in :mod:`api.deps`), which also hands it the caller::

    def route(principal: Reader): ...         # shared views (open or alliance:read, by configuration)
    def route(principal: Coordinator): ...    # coordinators only
    def route(principal: MunicipalityWriter): ...  # alliance:events.write, own municipality
    def route(principal: Admin): ...          # alliance:admin
    @router.get(..., dependencies=[PUBLIC])   # health, contracts, dashboard

Refusals: 401 with ``WWW-Authenticate: Bearer error="invalid_token", error_description=...``
naming why (missing, expired, not yet valid, bad signature, wrong audience or issuer,
unknown key, malformed); 403 with ``error="insufficient_scope"`` when the token is good
but the role or scope is not enough.

* :mod:`.principal` the caller and what a write is limited to;
* :mod:`.tokens` checking a token (:class:`~.tokens.TokenVerifier`);
* :mod:`.policies` the route policies and :func:`~.policies.policy_of`;
* :mod:`.refusals` the 401/403 answers;
* :mod:`.openapi` documenting each route's policy;
* :mod:`.local_issuer` the development issuer whose JWKS is trusted by default.
"""
