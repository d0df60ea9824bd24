"""sverka's pure logic: reading submissions, parsing values, the rules. No Prefect here."""
