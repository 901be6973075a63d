from quickbooks.objects.customer import Customer


def test_customer_roundtrip(qb):
    c = Customer()
    c.DisplayName = "Acme Ltd"
    c = c.save(qb=qb)
    got = Customer.get(c.Id, qb=qb)
    assert got.DisplayName == "Acme Ltd"
    assert Customer.filter(DisplayName="Acme Ltd", qb=qb)[0].Id == c.Id
