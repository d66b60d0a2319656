-- The currencies figures can be shown in (marts.dim_currencies), the reporting currency first.
select
    currency,
    is_reporting_currency,
    rate_date,
    units_per_reporting_unit,
    as_of_date
from marts.dim_currencies
order by is_reporting_currency desc, currency asc
