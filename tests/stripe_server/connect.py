"""Connect in the fake Stripe: Express accounts, AccountLinks (with a hosted onboarding page) and Transfers."""

from .objects import fixture, new_id
from .schema import StripeApiError

ONBOARDING_DUE = ["external_account", "individual.dob.day", "individual.first_name", "tos_acceptance.date"]


class ConnectResources:
    """Accounts, account links and transfers (mixed into FakeStripe, whose helpers they use)."""

    def create_account(self, params: dict) -> dict:
        """POST /v1/accounts: an Express account whose requested capabilities wait for onboarding."""
        kind = params.get("type")
        if kind != "express":
            raise StripeApiError(400, "The Backstop Stripe test server supports only type=express.", param="type")
        requested = {name for name, wanted in (params.get("capabilities") or {}).items() if wanted.get("requested")}
        account = fixture("account")
        account.update(
            id=new_id("acct", 16),
            type="express",
            country=params.get("country", "US"),
            email=params.get("email"),
            business_type=params.get("business_type"),
            created=self._time(),
            metadata=params.get("metadata") or {},
            charges_enabled=False,
            payouts_enabled=False,
            details_submitted=False,
            capabilities={name: "inactive" for name in sorted(requested)},
            default_currency="gbp" if params.get("country") == "GB" else "usd",
        )
        account["requirements"].update(currently_due=list(ONBOARDING_DUE), disabled_reason="requirements.past_due")
        account["external_accounts"] = {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{account['id']}/external_accounts",
        }
        self._store(account)
        return self.public(account)

    def create_account_link(self, params: dict) -> dict:
        """POST /v1/account_links: a link to the hosted onboarding page for the account."""
        account = self.get_object("account", params["account"], "account")
        for needed in ("refresh_url", "return_url"):
            if needed not in params:
                raise StripeApiError(400, f"Missing required param: {needed}.", code="parameter_missing", param=needed)
        link = fixture("account_link")
        created = self._time()
        token = new_id("link", 12)
        account["_links"] = {**account.get("_links", {}), token: params["return_url"]}
        link.update(created=created, expires_at=created + 300, url=f"{self.base_url}/connect/{account['id']}/{token}")
        return link

    def complete_onboarding(self, account_id: str, *, payouts: bool = True) -> dict:
        """Test control: the person finished onboarding; Stripe verified them (payouts) or is still checking."""
        with self.lock:
            account = self.get_object("account", account_id, "account")
            account.update(details_submitted=True, charges_enabled=payouts, payouts_enabled=payouts)
            account["capabilities"] = {name: "active" if payouts else "pending" for name in account["capabilities"]}
            account["requirements"].update(
                currently_due=[], disabled_reason=None if payouts else "requirements.pending_verification"
            )
            return self.public(account)

    def restrict_account(self, account_id: str) -> dict:
        """Test control: Stripe stopped the account receiving money (its transfers capability is inactive)."""
        with self.lock:
            account = self.get_object("account", account_id, "account")
            account.update(payouts_enabled=False, charges_enabled=False)
            account["capabilities"] = {name: "inactive" for name in account["capabilities"]}
            account["requirements"].update(disabled_reason="requirements.past_due", currently_due=["external_account"])
            return self.public(account)

    def onboarding_return(self, account_id: str, token: str) -> str | None:
        """The hosted page's Finish button: complete onboarding and say where to go back to (None if unknown)."""
        with self.lock:
            account = self.objects.get(account_id)
            if account is None or account.get("object") != "account" or token not in account.get("_links", {}):
                return None
            self.complete_onboarding(account_id)
            return account["_links"][token]

    def create_transfer(self, params: dict) -> dict:
        """POST /v1/transfers: money to a connected account whose transfers capability is active."""
        amount = params.get("amount")
        if amount is None:
            raise StripeApiError(400, "Missing required param: amount.", code="parameter_missing", param="amount")
        if amount <= 0:
            raise StripeApiError(400, "Invalid positive integer", code="parameter_invalid_integer", param="amount")
        account = self.get_object("account", params["destination"], "destination")
        if account["capabilities"].get("transfers") != "active":
            raise StripeApiError(
                400,
                "Your destination account needs to have at least one of the following capabilities enabled: "
                "transfers, crypto_transfers, legacy_payments",
                code="insufficient_capabilities_for_transfer",
                param="destination",
            )
        transfer = fixture("transfer")
        transfer_id = new_id("tr")
        transfer.update(
            id=transfer_id,
            amount=amount,
            currency=params["currency"].lower(),
            destination=account["id"],
            destination_payment=new_id("py"),
            balance_transaction=new_id("txn"),
            created=self._time(),
            description=params.get("description"),
            metadata=params.get("metadata") or {},
            transfer_group=params.get("transfer_group"),
            source_transaction=params.get("source_transaction"),
        )
        transfer["reversals"]["url"] = f"/v1/transfers/{transfer_id}/reversals"
        self._store(transfer)
        return self.public(transfer)

    def transfers(self) -> list[dict]:
        """Every transfer made, oldest first (what the tests count)."""
        with self.lock:
            return [self.public(obj) for obj in self.objects.values() if obj.get("object") == "transfer"]
