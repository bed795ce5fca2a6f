using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>A person as a data subject: profile, consents, linked clusters, requests, notices and the audit trail.</summary>
[RegionPlacement]
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Subjects)] IPersistentState<UserState> state,
    UserKeys keys,
    ClusterKeys clusterKeys,
    PolicyClock time,
    IDestructionLedger ledger,
    Notices.NoticeReach reach,
    IOptions<RetentionOptions> retention,
    ILogger<UserGrain> logger,
    DisclosureDesk disclosures) : Grain, IUserGrain
{
    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await CompleteDestructionAsync();

        // An email change that crashed after the new entry was claimed still has the old entry to release.
        if (state.State.ReleasingEmail is not null)
        {
            await ReleaseOldEmailAsync();
        }

        HandOutgoing();

        // Accounts created before the dormant-account rule get its reminder the first time they are active again.
        if (state.State.IsActive && state.State.DormancyDueAt is null)
        {
            await ArmDormancyAsync(rearm: true);
        }
    }

    public async Task CreateAsync(NewAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (keys.ForUser(account.UserId) != Key)
        {
            throw new ArgumentException("The user id does not belong to this grain.", nameof(account));
        }

        // Listed before the write: a crash in between leaves a key without an account, which notices skip.
        await Registry.AddAsync(Region, Key, Notices.SubjectKinds.User);
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
            LogCreated(logger, Key);
        }

        await ArmDormancyAsync(rearm: false);
    }

    public Task<bool> IsActiveAsync() => Task.FromResult(state.State.IsActive);

    public Task<UserRecord?> GetAsync()
    {
        var current = state.State;
        if (!current.IsActive)
        {
            return Task.FromResult<UserRecord?>(null);
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
            .. ThirdPartyItems(current),
        ];
        return Task.FromResult<UserRecord?>(new UserRecord(
            current.UserId!, Region, current.CreatedAt!.Value, profile, items,
            Consents.All(current.Consents), [.. current.Consents], [.. current.Links.Values], [.. current.Requests],
            [.. BoundedHistory.ShowNotifications(current.Notifications, current.EarlierNotifications)], [.. current.Disclosures],
            [.. BoundedHistory.ShowAudit(GaggedAudit.Visible(current, time.GetUtcNow()), current.EarlierAudit)],
            [DormancyRule(current)]));
    }

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

    public async Task<ConsentState?> SetConsentAsync(DataPurpose purpose, bool granted)
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        if (purpose == DataPurpose.ServiceProvision)
        {
            throw new ArgumentException("Service provision is the account's contract; erase the account to end it.", nameof(purpose));
        }

        var version = await PolicyVersionInEffectAsync();
        await UpdateAsync(now =>
        {
            var current = state.State;
            if (Consents.Current(current.Consents, purpose) is { Basis: "consent" } existing && existing.Granted == granted)
            {
                return (false, true);
            }

            current.Consents.Add(new ConsentEvent(purpose, granted, now, version));
            current.Audit.Add(new AuditEntry(now, granted ? "consent-granted" : "consent-withdrawn", $"person's choice for {Json(purpose)}"));
            return (true, true);
        });

        // Told every time, so a retried request also repairs a propagation that failed half-way.
        if (purpose == DataPurpose.UsageStatistics)
        {
            await Task.WhenAll(state.State.Links.Values.Select(link => Cluster(link).SetLinkedConsentAsync(Key, granted)));
        }
        else if (purpose == DataPurpose.CrashReports)
        {
            await TellClustersCrashConsentAsync(state.State.Links.Values);
        }

        return Consents.Current(state.State.Consents, purpose);
    }

    public async Task<LinkedCluster?> LinkClusterAsync(string clusterId, string clusterRegion, string bootstrapProof)
    {
        if (!state.State.IsActive)
        {
            return null;
        }

        var usage = Consents.Current(state.State.Consents, DataPurpose.UsageStatistics).Granted;
        var candidate = new LinkedCluster(clusterId, clusterRegion, time.GetUtcNow());
        if (!await Cluster(candidate).LinkAsync(bootstrapProof, Key, usage))
        {
            return null;
        }

        await TellClustersCrashConsentAsync([candidate]);
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

    public async Task RecordRequestAsync(RequestReference request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await UpdateAsync(now =>
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

    public async Task<ErasurePlan?> CloseAsync(string requestId)
    {
        if (state.State.UserId is null)
        {
            return null;
        }

        await UpdateAsync(now =>
        {
            if (state.State.ClosedBy is not null)
            {
                return (false, true);
            }

            state.State.ClosedBy = requestId;
            state.State.Audit.Add(new AuditEntry(now, "account-closed", $"erasure {requestId}: tokens revoked"));
            return (true, true);
        });

        // A closed account is being erased: it no longer grows dormant.
        await UnregisterAsync(DormancyReminder);
        var current = state.State;
        string?[] addresses = [current.Email, current.PendingEmail, current.ReleasingEmail];
        return new ErasurePlan(
            Key,
            [.. addresses.OfType<string>().Distinct(StringComparer.Ordinal).Select(email => keys.ForEmail(Region, email))],
            [.. current.Links.Values.Select(link => clusterKeys.For(link.Region, link.ClusterId))]);
    }

    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId) => Task.FromResult(
        state.State.UserId is not null ? new ErasureReceipt(requestId, Region, time.GetUtcNow(), ErasureCounts(asThePersonSees: true), "account") : null);

    /// <summary>What erasure destroys; the person's receipt leaves out ledger entries a running gag hides (the region's ledger counts them).</summary>
    private ImmutableDictionary<DataCategory, int> ErasureCounts(bool asThePersonSees = false) => ImmutableDictionary<DataCategory, int>.Empty
        .Add(DataCategory.Identifier, 1 + state.State.Links.Count)
        .Add(DataCategory.Account, 3 + state.State.Consents.Count + state.State.Notifications.Count + state.State.Requests.Count +
            (asThePersonSees ? VisibleDisclosures(time.GetUtcNow()).Count() : state.State.DisclosureLedger.Count))
        .AddRange(state.State.ThirdPartyRecords.Count > 0 ? [KeyValuePair.Create(DataCategory.ThirdPartyRecord, state.State.ThirdPartyRecords.Count)] : []);

    public async Task<ErasureStep> EraseAsync(string requestId)
    {
        if (state.State.UserId is null)
        {
            return ErasureStep.Nothing;
        }

        if (await AwaitHoldAsync(requestId) is { } hold)
        {
            return ErasureStep.Held(hold);
        }

        await ForgetLegalRequestsAsync();

        // Nothing sent to the person stays behind in the outbox's files (before the write: a crash repeats it).
        await DestroyOutboxCopiesAsync();

        // One write leaves only the proof of the destruction (and the evidence of the disclosure ledger's); it goes to the
        // ledgers before the row itself is deleted.
        var lastSeq = state.State.DisclosureLedger.Count > 0 ? await disclosures.Ledger.LastSeqAsync(state.State, Region, Key) : 0;
        var counts = await UpdateAsync(now =>
        {
            if (state.State.UserId is null)
            {
                return (false, (ImmutableDictionary<DataCategory, int>?)null);
            }

            var receipt = ErasureCounts(asThePersonSees: true);
            var erased = new UserState { PendingProofs = [.. state.State.PendingProofs, DestructionProof.New("account", "request", ErasureCounts(), now)] };
            disclosures.Ledger.CarryDestruction(state.State, erased, Key, "request", lastSeq, now);
            state.State = erased;
            return (true, receipt);
        });
        if (counts is null)
        {
            return ErasureStep.Nothing;
        }

        await CompleteDestructionAsync();
        await Registry.RemoveAsync(Region, Key);
        LogErased(logger, Key);
        return new ErasureStep(new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "account"), null);
    }

    /// <summary>
    /// Records pending proofs of destruction; a row that no longer names an account (an erasure interrupted after its
    /// first write) is then deleted. Runs at activation too, so a crash in between is completed.
    /// </summary>
    private async Task CompleteDestructionAsync()
    {
        await DestructionProofs.FlushAsync(state, ledger, Region, DeactivateOnIdle);
        await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        if (state.RecordExists && state.State.UserId is null &&
            await state.DeleteAsync(() => state.RecordExists && state.State.UserId is null, DeactivateOnIdle))
        {
            // Nothing is left to grow dormant.
            await UnregisterAsync(DormancyReminder);
            DeactivateOnIdle();
        }
    }

    private UserProfile Profile() => new(state.State.Name!, state.State.Email!, state.State.BirthDate!.Value);

    private IEmailIndexGrain EmailIndex(string email) => GrainFactory.GetGrain<IEmailIndexGrain>(keys.ForEmail(Region, email));

    private IClusterGrain Cluster(LinkedCluster link) => GrainFactory.GetGrain<IClusterGrain>(clusterKeys.For(link.Region, link.ClusterId));

    private static string Json(DataPurpose purpose) => WireNames.Of(purpose);

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) => state.UpdateAsync(time, decide, DeactivateOnIdle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} created")]
    private static partial void LogCreated(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
