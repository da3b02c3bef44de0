{#- The next product to recommend in promotional e-mail, one row per current customer (a company with a live
    product): association rules "customers who have A also have B" counted over every company that ever bought
    (int_playbooks__company_products), within the customer's segment and over all customers. For each product B
    the customer never had, the best rule A -> B from a product A it has: confidence = companies with A and B /
    companies with A, among rules with at least var playbook_next_product_min_support companies with both.
    Segment rules are preferred to all-customer rules; then higher confidence, support, product id.
    A product the customer has or had is never recommended. Customers without a qualifying rule get no row. -#}
with company_products as (

    select * from {{ ref('int_playbooks__company_products') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

owned as (

    select
        company_products.company_id,
        company_products.product_id,
        company_products.product_name,
        company_products.is_live,
        coalesce(customers.segment, 'unknown') as segment
    from company_products
    left join customers
        on company_products.company_id = customers.company_id

),

owned_by_scope as (

    select
        company_id,
        product_id,
        segment as rule_scope
    from owned
    union all
    select
        company_id,
        product_id,
        'all' as rule_scope
    from owned

),

antecedent_counts as (

    select
        rule_scope,
        product_id,
        count(*) as antecedent_companies
    from owned_by_scope
    group by
        rule_scope,
        product_id

),

pair_counts as (

    select
        antecedent.rule_scope,
        antecedent.product_id as antecedent_product_id,
        consequent.product_id as consequent_product_id,
        count(*) as both_companies
    from owned_by_scope as antecedent
    inner join owned_by_scope as consequent
        on
            antecedent.company_id = consequent.company_id
            and antecedent.rule_scope = consequent.rule_scope
            and antecedent.product_id != consequent.product_id
    group by
        antecedent.rule_scope,
        antecedent.product_id,
        consequent.product_id

),

rules as (

    select
        pair_counts.rule_scope,
        pair_counts.antecedent_product_id,
        pair_counts.consequent_product_id,
        pair_counts.both_companies,
        antecedent_counts.antecedent_companies,
        cast(pair_counts.both_companies as {{ type_double() }}) / antecedent_counts.antecedent_companies as confidence
    from pair_counts
    inner join antecedent_counts
        on
            pair_counts.rule_scope = antecedent_counts.rule_scope
            and pair_counts.antecedent_product_id = antecedent_counts.product_id
    where pair_counts.both_companies >= {{ var('playbook_next_product_min_support') }}

),

current_customers as (

    select
        company_id,
        max(segment) as segment
    from owned
    where is_live
    group by company_id

),

candidates as (

    select
        current_customers.company_id,
        current_customers.segment,
        rules.rule_scope,
        rules.antecedent_product_id,
        rules.consequent_product_id,
        rules.both_companies,
        rules.antecedent_companies,
        rules.confidence
    from current_customers
    inner join owned
        on current_customers.company_id = owned.company_id
    inner join rules
        on
            owned.product_id = rules.antecedent_product_id
            and rules.rule_scope in (current_customers.segment, 'all')
    left join owned as already
        on
            current_customers.company_id = already.company_id
            and rules.consequent_product_id = already.product_id
    where already.product_id is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by company_id
            order by
                case when rule_scope = 'all' then 1 else 0 end asc,
                confidence desc,
                both_companies desc,
                consequent_product_id asc,
                antecedent_product_id asc
        ) as candidate_rank
    from candidates

),

candidate_counts as (

    select
        company_id,
        count(distinct consequent_product_id) as candidate_products
    from candidates
    group by company_id

),

product_names as (

    select distinct
        product_id,
        product_name
    from owned

),

final as (

    select
        cast(ranked.company_id as {{ dbt.type_string() }}) as company_id,
        cast(ranked.segment as {{ dbt.type_string() }}) as segment,
        cast(ranked.consequent_product_id as {{ dbt.type_string() }}) as recommended_product_id,
        cast(recommended.product_name as {{ dbt.type_string() }}) as recommended_product_name,
        cast(ranked.antecedent_product_id as {{ dbt.type_string() }}) as because_owns_product_id,
        cast(ranked.rule_scope as {{ dbt.type_string() }}) as rule_scope,
        cast(ranked.both_companies as integer) as support_companies,
        cast(ranked.antecedent_companies as integer) as antecedent_companies,
        cast(ranked.confidence as decimal(10, 4)) as confidence,
        cast(candidate_counts.candidate_products as integer) as candidate_products,
        cast(
            cast(ranked.both_companies as {{ dbt.type_string() }}) || ' of '
            || cast(ranked.antecedent_companies as {{ dbt.type_string() }})
            || case when ranked.rule_scope = 'all' then ' customers' else ' ' || ranked.rule_scope || ' customers' end
            || ' with ' || antecedent.product_name || ' also have ' || recommended.product_name
            as {{ dbt.type_string() }}
        ) as reason
    from ranked
    inner join candidate_counts
        on ranked.company_id = candidate_counts.company_id
    inner join product_names as recommended
        on ranked.consequent_product_id = recommended.product_id
    inner join product_names as antecedent
        on ranked.antecedent_product_id = antecedent.product_id
    where ranked.candidate_rank = 1

)

select * from final
