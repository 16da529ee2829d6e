"""TikHub spend: who pays for each paid call (`payer`), accounting and the monthly budget (`budget`)."""
