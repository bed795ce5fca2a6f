using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>The account itself: created once from a verified sign-up, its profile corrected, clusters linked, requests listed, and all of it shown.</summary>
public sealed partial class Account(
    IPersistentState<UserState> state,
    UserKeys keys,
    ClusterKeys clusterKeys,
    ISubjectRegistry registry,
    Consents consents,
    Dormancy dormancy,
    IGrainFactory grains,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>Creates the account once; a repeat with the same user id changes nothing.</summary>
    public async Task CreateAsync(NewAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (keys.ForUser(account.UserId) != host.Key)
        {
            throw new ArgumentException("The user id does not belong to this grain.", nameof(account));
        }

        // Listed before the write: a crash in between leaves a key without an account, which notices skip.
        await registry.AddAsync(host.Region, host.Key, SubjectKinds.User);
        var created = await UpdateAsync(now =>
        {
            if (state.State.UserId is not null)
            {
                return (false, false);
            }

            var current = state.State;
            current.UserId = account.UserId;
            current.Email = account.Email;
            current.Name = account.Name;
            current.BirthDate = account.BirthDate;
            current.CreatedAt = now;
            current.Audit.Add(new AuditEntry(now, "account-created", "sign-up verified by one-time code"));
            return (true, true);
        });
        if (created)
        {
            LogCreated(logger, host.Key);
        }

        await dormancy.ArmAsync(rearm: false);
    }

    /// <summary>Everything held in the account itself, or <c>null</c> if it is not active.</summary>
    public UserRecord? Get()
    {
        var current = state.State;
        if (!current.IsActive)
        {
            return null;
        }

        var profile = Profile();
        HeldItem Item(string name, DataCategory category, string value) => new(
            name, null, category, DataSource.Direct, DataPurpose.ServiceProvision, current.CreatedAt!.Value, null, true, value,
            ImmutableDictionary<string, double>.Empty);
        ImmutableArray<HeldItem> items =
        [
            Item("user-id", DataCategory.Identifier, current.UserId!),
            Item("name", DataCategory.Account, profile.Name),
            Item("email", DataCategory.Account, profile.Email),
            Item("birth-date", DataCategory.Account, profile.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            .. ThirdPartyRecords.Items(current),
        ];
        return new UserRecord(
            current.UserId!, host.Region, current.CreatedAt!.Value, profile, items,
            Consents.All(current.Consents), [.. current.Consents], [.. current.Links.Values], [.. current.Requests],
            [.. BoundedHistory.ShowNotifications(current.Notifications, current.EarlierNotifications)], [.. current.Disclosures],
            [.. BoundedHistory.ShowAudit(GaggedAudit.Visible(current, time.GetUtcNow()), current.EarlierAudit)],
            [dormancy.Rule(current)]);
    }

    /// <summary>Corrects name or birth date; <c>null</c> if the account is not active.</summary>
    public async Task<CorrectionResult?> CorrectAsync(ProfileCorrection correction)
    {
        ArgumentNullException.ThrowIfNull(correction);
        if (!state.State.IsActive)
        {
            return null;
        }

        await UpdateAsync(now =>
        {
            var current = state.State;
            var fields = new List<string>();
            if (correction.Name is { } name && name != current.Name)
            {
                current.Name = name;
                fields.Add("name");
            }

            if (correction.BirthDate is { } birthDate && birthDate != current.BirthDate)
            {
                current.BirthDate = birthDate;
                fields.Add("birth-date");
            }

            if (fields.Count == 0)
            {
                return (false, true);
            }

            current.Audit.Add(new AuditEntry(now, "profile-corrected", $"person's request; fields: {string.Join(", ", fields)}"));
            return (true, true);
        });
        return new CorrectionResult(Profile(), Age.IsUnderMinimum(state.State.BirthDate!.Value, time.GetUtcNow()));
    }

    /// <summary>Links a cluster the person runs, proven by its bootstrap id; <c>null</c> if unknown or unproven.</summary>
    public async Task<LinkedCluster?> LinkClusterAsync(string clusterId, string clusterRegion, string bootstrapProof)
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        var usage = Consents.Current(state.State.Consents, DataPurpose.UsageStatistics).Granted;
        var candidate = new LinkedCluster(clusterId, clusterRegion, time.GetUtcNow());
        if (!await grains.GetGrain<IClusterGrain>(clusterKeys.For(clusterRegion, clusterId)).LinkAsync(bootstrapProof, host.Key, usage))
        {
            return null;
        }

        await consents.TellClustersCrashConsentAsync([candidate]);
        return await UpdateAsync(now =>
        {
            var links = state.State.Links;
            var linkKey = $"{clusterRegion}/{clusterId}";
            if (links.TryGetValue(linkKey, out var existing))
            {
                return (false, existing);
            }

            var link = candidate with { LinkedAt = now };
            links[linkKey] = link;
            state.State.Audit.Add(new AuditEntry(now, "cluster-linked", $"person proved they run a cluster in {clusterRegion}"));
            return (true, link);
        });
    }

    /// <summary>Lists a privacy request about the account (once) in its requests and audit trail.</summary>
    public Task RecordRequestAsync(RequestReference request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return UpdateAsync(now =>
        {
            var current = state.State;
            if (current.UserId is null || current.Requests.Any(known => known.RequestId == request.RequestId))
            {
                return (false, true);
            }

            current.Requests.Add(request);
            current.Audit.Add(new AuditEntry(now, $"{request.Kind}-requested", $"request {request.RequestId}"));
            return (true, true);
        });
    }

    private UserProfile Profile() => new(state.State.Name!, state.State.Email!, state.State.BirthDate!.Value);

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) => state.UpdateAsync(time, decide, host.DeactivateOnIdle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} created")]
    private static partial void LogCreated(ILogger logger, string grainKey);
}
