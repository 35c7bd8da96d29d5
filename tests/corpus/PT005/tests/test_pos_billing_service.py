from decimal import Decimal

from app.services.billing import charge, refund, total_for


def test_charge_records_payment(db):  # HIT
    payment = charge(db, customer_id=1, amount=Decimal("9.99"))
    assert payment.amount == Decimal("9.99")


def test_refund_marks_payment(db, payment):
    refund(db, payment.id)
    assert payment.refunded


def test_total_for_customer(db, payment):
    assert total_for(db, customer_id=payment.customer_id) == payment.amount
