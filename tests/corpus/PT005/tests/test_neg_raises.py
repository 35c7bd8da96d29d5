import pytest

from app.services.billing import charge, refund, PaymentDeclined


def test_charge(db):
    assert charge(db, 1, 10).amount == 10


def test_refund(db, payment):
    refund(db, payment.id)
    assert payment.refunded


def test_charge_declined(db):
    with pytest.raises(PaymentDeclined):
        charge(db, 1, 10_000)
