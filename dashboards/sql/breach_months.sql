-- Months ('YYYY-MM') of marts.fct_compliance_summary, oldest first.
select distinct strftime(month, '%Y-%m') as month from marts.fct_compliance_summary
order by month
