-- Every raw row is staged, quarantined with a reason, or collapsed as a duplicate version: nothing is lost.
select *
from {{ ref('raw_row_accounting') }}
where not is_balanced
