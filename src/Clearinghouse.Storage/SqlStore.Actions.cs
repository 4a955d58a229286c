using System.Data.Common;
using Clearinghouse.Storage.Sql;

namespace Clearinghouse.Storage;

// Action rules (audited) and webhook endpoints: a member's own configuration, never on the transparency log (it
// changes nothing other members see). The outbox and the match batch are in SqlStore.Outbox.cs.
public abstract partial class SqlStore : IActionStore
{
    /// <summary>Most live rules a member may have.</summary>
    public const int MaxRulesPerMember = 200;

    /// <summary>Most entries in one selector list.</summary>
    public const int MaxSelectorEntries = 100;

    /// <summary>Longest webhook URL.</summary>
    public const int MaxWebhookUrl = 2000;

    /// <summary>Shortest and longest webhook secret.</summary>
    public const int MinWebhookSecret = 16, MaxWebhookSecret = 256;

    /// <summary>Most live webhook endpoints a member may have.</summary>
    public const int MaxEndpointsPerMember = 50;

    private const string RuleColumns =
        "id, member_id, name, bank_ids, categories, signal_types, max_distance, include_disputed, review_priority, webhook_endpoint_id, enabled, created_us, updated_us";

    private const string EndpointColumns = "id, member_id, url, secret, description, enabled, created_us";

    // --- rules -------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.NotFound"/> for an unknown member, a bank it cannot see or an endpoint not its own;
    /// <see cref="StoreError.UnknownCategory"/> for a category not in the taxonomy; <see cref="StoreError.Invalid"/> for
    /// a bad name, selector, priority or actor; <see cref="StoreError.Conflict"/> beyond <see cref="MaxRulesPerMember"/>.</remarks>
    public Task<ActionRule> CreateActionRuleAsync(NewActionRule rule, string actor, CancellationToken cancellationToken = default)
    {
        NewActionRule checkedRule = RequireRuleShape(rule);
        RequireActor(actor);
        return WriteAsync(WriteLock.None, async session =>
        {
            await RequireRuleReferencesAsync(session, checkedRule, cancellationToken).ConfigureAwait(false);
            long count = await session.ScalarAsync<long>(
                "SELECT count(*) FROM action_rules WHERE member_id = @member AND deleted = FALSE", cancellationToken, ("@member", checkedRule.MemberId)).ConfigureAwait(false);
            if (count >= MaxRulesPerMember)
            {
                throw Conflict($"a member may have at most {MaxRulesPerMember} rules");
            }

            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO action_rules (member_id, name, bank_ids, categories, signal_types, max_distance, include_disputed, review_priority, webhook_endpoint_id, enabled, created_us, updated_us, deleted)
                VALUES (@member, @name, @banks, @categories, @types, @distance, @disputed, @priority, @endpoint, @enabled, @at, @at, FALSE) RETURNING id
                """,
                cancellationToken,
                RuleParameters(session, checkedRule)).ConfigureAwait(false);
            var created = new ActionRule(id, checkedRule.MemberId, checkedRule.Name, checkedRule.Selector, checkedRule.Actions, checkedRule.Enabled, Micros.ToTime(session.NowMicros), Micros.ToTime(session.NowMicros));
            await AuditRuleAsync(session, created, RuleChange.Created, actor, cancellationToken).ConfigureAwait(false);
            return created;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Errors as for <see cref="CreateActionRuleAsync"/>; <see cref="StoreError.NotFound"/> for a rule not the member's.</remarks>
    public Task<ActionRule> ReplaceActionRuleAsync(long ruleId, NewActionRule rule, string actor, CancellationToken cancellationToken = default)
    {
        NewActionRule checkedRule = RequireRuleShape(rule);
        RequireActor(actor);
        return WriteAsync(WriteLock.None, async session =>
        {
            ActionRule existing = await RequireRuleAsync(session, checkedRule.MemberId, ruleId, cancellationToken).ConfigureAwait(false);
            await RequireRuleReferencesAsync(session, checkedRule, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(
                """
                UPDATE action_rules SET name = @name, bank_ids = @banks, categories = @categories, signal_types = @types, max_distance = @distance,
                    include_disputed = @disputed, review_priority = @priority, webhook_endpoint_id = @endpoint, enabled = @enabled, updated_us = @at
                WHERE id = @id
                """,
                cancellationToken,
                [.. RuleParameters(session, checkedRule), ("@id", ruleId)]).ConfigureAwait(false);
            var replaced = existing with
            {
                Name = checkedRule.Name,
                Selector = checkedRule.Selector,
                Actions = checkedRule.Actions,
                Enabled = checkedRule.Enabled,
                UpdatedAt = Micros.ToTime(session.NowMicros),
            };
            await AuditRuleAsync(session, replaced, RuleChange.Updated, actor, cancellationToken).ConfigureAwait(false);
            return replaced;
        }, cancellationToken);
    }

    public Task DeleteActionRuleAsync(long memberId, long ruleId, string actor, CancellationToken cancellationToken = default)
    {
        RequireActor(actor);
        return WriteAsync(WriteLock.None, async session =>
        {
            ActionRule existing = await RequireRuleAsync(session, memberId, ruleId, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(
                "UPDATE action_rules SET deleted = TRUE, updated_us = @at WHERE id = @id", cancellationToken, ("@at", session.NowMicros), ("@id", ruleId)).ConfigureAwait(false);
            await AuditRuleAsync(session, existing, RuleChange.Deleted, actor, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<ActionRule?> GetActionRuleAsync(long memberId, long ruleId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => FindRuleAsync(session, memberId, ruleId, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<ActionRule>> ListActionRulesAsync(long memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {RuleColumns} FROM action_rules WHERE member_id = @member AND deleted = FALSE ORDER BY id",
            RuleRow,
            cancellationToken,
            ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    public Task<Page<ActionRuleAudit>> ListActionRuleAuditAsync(long memberId, long? ruleId, long afterId, int limit, CancellationToken cancellationToken = default)
    {
        RequireLimit(limit);
        return ReadAsync(async session => ToPage(
            await session.QueryAsync(
                """
                SELECT id, rule_id, member_id, change, actor, at_us, rule FROM action_rule_audit
                WHERE member_id = @member AND id > @after AND (@rule = 0 OR rule_id = @rule)
                ORDER BY id LIMIT @limit
                """,
                r => new ActionRuleAudit(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (RuleChange)r.GetInt32(3), r.GetString(4), Micros.ToTime(r.GetInt64(5)), r.GetString(6)),
                cancellationToken,
                ("@member", memberId),
                ("@after", afterId),
                ("@rule", ruleId ?? 0),
                ("@limit", (long)limit + 1)).ConfigureAwait(false),
            limit,
            a => a.Id), cancellationToken);
    }

    private static (string, object?)[] RuleParameters(Session session, NewActionRule rule) =>
    [
        ("@member", rule.MemberId),
        ("@name", rule.Name),
        ("@banks", ActionJson.WriteIds(rule.Selector.BankIds)),
        ("@categories", ActionJson.WriteStrings(rule.Selector.Categories)),
        ("@types", ActionJson.WriteStrings(rule.Selector.SignalTypes)),
        ("@distance", rule.Selector.MaxDistance),
        ("@disputed", rule.Selector.IncludeDisputed),
        ("@priority", rule.Actions.ReviewPriority),
        ("@endpoint", rule.Actions.WebhookEndpointId),
        ("@enabled", rule.Enabled),
        ("@at", session.NowMicros),
    ];

    /// <summary>Checks what can be checked without the database, and returns the rule with its lists sorted and de-duplicated.</summary>
    private static NewActionRule RequireRuleShape(NewActionRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(rule.Selector);
        ArgumentNullException.ThrowIfNull(rule.Actions);
        RequireName(rule.Name, "rule");
        RuleSelector selector = rule.Selector;
        if (selector.BankIds is null || selector.Categories is null || selector.SignalTypes is null)
        {
            throw Invalid("a rule's bank, category and signal type lists must be given (empty for any)");
        }

        if (selector.BankIds.Count > MaxSelectorEntries || selector.Categories.Count > MaxSelectorEntries || selector.SignalTypes.Count > MaxSelectorEntries)
        {
            throw Invalid($"a rule's selector lists may have at most {MaxSelectorEntries} entries each");
        }

        foreach (string value in selector.Categories.Concat(selector.SignalTypes))
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > 100 || value.Any(char.IsControl))
            {
                throw Invalid($"a rule's categories and signal types must be 1 to 100 characters without control characters, found \"{value}\"");
            }
        }

        if (selector.MaxDistance is < 0)
        {
            throw Invalid($"a rule's maximum distance must be 0 or more, found {selector.MaxDistance}");
        }

        if (rule.Actions.ReviewPriority is < 0 or > RuleActions.MaxPriority)
        {
            throw Invalid($"a review priority must be 0 to {RuleActions.MaxPriority}, found {rule.Actions.ReviewPriority}");
        }

        return rule with
        {
            Selector = selector with
            {
                BankIds = [.. selector.BankIds.Distinct().Order()],
                Categories = [.. selector.Categories.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                SignalTypes = [.. selector.SignalTypes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            },
        };
    }

    /// <summary>Checks the member, and that each bank is one it can see, each category known and the endpoint its own.</summary>
    private static async Task RequireRuleReferencesAsync(Session session, NewActionRule rule, CancellationToken cancellationToken)
    {
        await RequireMemberAsync(session, rule.MemberId, cancellationToken).ConfigureAwait(false);
        foreach (long bankId in rule.Selector.BankIds)
        {
            long visible = await session.ScalarAsync<long>(
                $"""
                SELECT count(*) FROM banks WHERE id = @bank AND deleted = FALSE AND (
                    owner_id = @member
                    OR scope = {(int)SharingScope.AllMembers}
                    OR (scope = {(int)SharingScope.Group} AND group_id IN (SELECT group_id FROM group_members WHERE member_id = @member)))
                """,
                cancellationToken,
                ("@bank", bankId),
                ("@member", rule.MemberId)).ConfigureAwait(false);
            if (visible == 0)
            {
                throw NotFound($"there is no bank with id {bankId} that member {rule.MemberId} can see");
            }
        }

        foreach (string category in rule.Selector.Categories)
        {
            if (await session.ScalarAsync<long>("SELECT count(*) FROM categories WHERE id = @id", cancellationToken, ("@id", category)).ConfigureAwait(false) == 0)
            {
                throw new StoreException(StoreError.UnknownCategory, $"category '{category}' is not in the taxonomy");
            }
        }

        if (rule.Actions.WebhookEndpointId is long endpointId)
        {
            _ = await FindEndpointAsync(session, rule.MemberId, endpointId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"member {rule.MemberId} has no webhook endpoint {endpointId}");
        }
    }

    private static void RequireActor(string actor)
    {
        if (string.IsNullOrWhiteSpace(actor) || actor.Length > 200 || actor.Any(char.IsControl))
        {
            throw Invalid("who made a change (an API key id or a user name) must be 1 to 200 characters without control characters");
        }
    }

    private static Task<int> AuditRuleAsync(Session session, ActionRule rule, RuleChange change, string actor, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO action_rule_audit (rule_id, member_id, change, actor, at_us, rule) VALUES (@rule, @member, @change, @actor, @at, @json)",
            cancellationToken,
            ("@rule", rule.Id),
            ("@member", rule.MemberId),
            ("@change", (int)change),
            ("@actor", actor),
            ("@at", session.NowMicros),
            ("@json", ActionJson.WriteRule(rule)));

    private static Task<ActionRule?> FindRuleAsync(Session session, long memberId, long ruleId, CancellationToken cancellationToken) =>
        session.QuerySingleAsync(
            $"SELECT {RuleColumns} FROM action_rules WHERE id = @id AND member_id = @member AND deleted = FALSE",
            RuleRow,
            cancellationToken,
            ("@id", ruleId),
            ("@member", memberId));

    private static async Task<ActionRule> RequireRuleAsync(Session session, long memberId, long ruleId, CancellationToken cancellationToken) =>
        await FindRuleAsync(session, memberId, ruleId, cancellationToken).ConfigureAwait(false)
        ?? throw NotFound($"member {memberId} has no rule {ruleId}");

    private static ActionRule RuleRow(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetString(2),
        new RuleSelector(
            ActionJson.ReadIds(r.GetString(3)),
            ActionJson.ReadStrings(r.GetString(4)),
            ActionJson.ReadStrings(r.GetString(5)),
            r.IsDBNull(6) ? null : r.GetInt32(6),
            r.GetBoolean(7)),
        new RuleActions(r.IsDBNull(8) ? null : r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt64(9)),
        r.GetBoolean(10),
        Micros.ToTime(r.GetInt64(11)),
        Micros.ToTime(r.GetInt64(12)));

    // --- webhook endpoints -------------------------------------------------------------------------------------

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Invalid"/> for a URL that is not absolute http(s) or a secret of the wrong length;
    /// <see cref="StoreError.Conflict"/> beyond <see cref="MaxEndpointsPerMember"/>.</remarks>
    public Task<WebhookEndpoint> CreateWebhookEndpointAsync(long memberId, string url, string secret, string? description, CancellationToken cancellationToken = default)
    {
        RequireWebhookUrl(url);
        RequireWebhookSecret(secret);
        RequireDescription(description);
        return WriteAsync(WriteLock.None, async session =>
        {
            await RequireMemberAsync(session, memberId, cancellationToken).ConfigureAwait(false);
            long count = await session.ScalarAsync<long>(
                "SELECT count(*) FROM webhook_endpoints WHERE member_id = @member AND deleted = FALSE", cancellationToken, ("@member", memberId)).ConfigureAwait(false);
            if (count >= MaxEndpointsPerMember)
            {
                throw Conflict($"a member may have at most {MaxEndpointsPerMember} webhook endpoints");
            }

            long id = await session.ScalarAsync<long>(
                """
                INSERT INTO webhook_endpoints (member_id, url, secret, description, enabled, created_us, deleted)
                VALUES (@member, @url, @secret, @description, TRUE, @at, FALSE) RETURNING id
                """,
                cancellationToken,
                ("@member", memberId),
                ("@url", url),
                ("@secret", secret),
                ("@description", description),
                ("@at", session.NowMicros)).ConfigureAwait(false);
            return new WebhookEndpoint(id, memberId, url, secret, description, true, Micros.ToTime(session.NowMicros));
        }, cancellationToken);
    }

    public Task<WebhookEndpoint> UpdateWebhookEndpointAsync(long memberId, long endpointId, WebhookEndpointUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Url is not null)
        {
            RequireWebhookUrl(update.Url);
        }

        if (update.Secret is not null)
        {
            RequireWebhookSecret(update.Secret);
        }

        RequireDescription(update.Description);
        return WriteAsync(WriteLock.None, async session =>
        {
            WebhookEndpoint endpoint = await FindEndpointAsync(session, memberId, endpointId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"member {memberId} has no webhook endpoint {endpointId}");
            WebhookEndpoint updated = endpoint with
            {
                Url = update.Url ?? endpoint.Url,
                Secret = update.Secret ?? endpoint.Secret,
                Description = update.Description ?? endpoint.Description,
                Enabled = update.Enabled ?? endpoint.Enabled,
            };
            await session.ExecuteAsync(
                "UPDATE webhook_endpoints SET url = @url, secret = @secret, description = @description, enabled = @enabled WHERE id = @id",
                cancellationToken,
                ("@url", updated.Url),
                ("@secret", updated.Secret),
                ("@description", updated.Description),
                ("@enabled", updated.Enabled),
                ("@id", endpointId)).ConfigureAwait(false);
            return updated;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks><see cref="StoreError.Conflict"/> while a live rule still names the endpoint.</remarks>
    public Task DeleteWebhookEndpointAsync(long memberId, long endpointId, CancellationToken cancellationToken = default) =>
        WriteAsync(WriteLock.None, async session =>
        {
            _ = await FindEndpointAsync(session, memberId, endpointId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound($"member {memberId} has no webhook endpoint {endpointId}");
            long rules = await session.ScalarAsync<long>(
                "SELECT count(*) FROM action_rules WHERE webhook_endpoint_id = @id AND deleted = FALSE", cancellationToken, ("@id", endpointId)).ConfigureAwait(false);
            if (rules > 0)
            {
                throw Conflict($"webhook endpoint {endpointId} is named by {rules} rule(s); change or delete them first");
            }

            await session.ExecuteAsync("UPDATE webhook_endpoints SET deleted = TRUE, enabled = FALSE WHERE id = @id", cancellationToken, ("@id", endpointId)).ConfigureAwait(false);
            await session.ExecuteAsync(
                $"UPDATE webhook_deliveries SET state = {(int)DeliveryState.Dead}, last_error = 'endpoint deleted', lease_until_us = 0 WHERE endpoint_id = @id AND state = {(int)DeliveryState.Pending}",
                cancellationToken,
                ("@id", endpointId)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<WebhookEndpoint?> GetWebhookEndpointAsync(long memberId, long endpointId, CancellationToken cancellationToken = default) =>
        ReadAsync(session => FindEndpointAsync(session, memberId, endpointId, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<WebhookEndpoint>> ListWebhookEndpointsAsync(long memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(session => session.QueryAsync(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE member_id = @member AND deleted = FALSE ORDER BY id",
            EndpointRow,
            cancellationToken,
            ("@member", memberId)), cancellationToken).ConfigureAwait(false);

    private static Task<WebhookEndpoint?> FindEndpointAsync(Session session, long memberId, long endpointId, CancellationToken cancellationToken) =>
        session.QuerySingleAsync(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = @id AND member_id = @member AND deleted = FALSE",
            EndpointRow,
            cancellationToken,
            ("@id", endpointId),
            ("@member", memberId));

    private static WebhookEndpoint EndpointRow(DbDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetBoolean(5), Micros.ToTime(r.GetInt64(6)));

    private static void RequireWebhookUrl(string url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxWebhookUrl
            || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw Invalid($"a webhook URL must be an absolute http or https URL of at most {MaxWebhookUrl} characters, without user information");
        }
    }

    private static void RequireWebhookSecret(string secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < MinWebhookSecret || secret.Length > MaxWebhookSecret || secret.Any(char.IsControl))
        {
            throw Invalid($"a webhook secret must be {MinWebhookSecret} to {MaxWebhookSecret} characters without control characters");
        }
    }

    private static void RequireDescription(string? description)
    {
        if (description is not null && (description.Length > 500 || description.Any(char.IsControl)))
        {
            throw Invalid("a description must be at most 500 characters without control characters");
        }
    }
}
