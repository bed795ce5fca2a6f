using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>Sign-up: a one-time code goes to <c>email</c>; the account is created when it is verified.</summary>
internal sealed record SignUpBody(string Email, string Name, string Region, string BirthDate) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with
    {
        Email = check.Email("email", Email),
        Name = check.Text("name", Name),
        Region = check.Region("region", Region),
        BirthDate = check.BirthDate("birthDate", BirthDate),
    };
}

/// <summary>Sign-in: a one-time code goes to <c>email</c> if it has an account.</summary>
internal sealed record SignInBody(string Email) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with { Email = check.Email("email", Email) };
}

/// <summary>The code we sent, for a token.</summary>
internal sealed record VerifyBody(string Email, string Code) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with { Email = check.Email("email", Email), Code = check.Code("code", Code) };
}

/// <summary>A correction: any of name and birth date; a new email alone sends a code there, with <c>emailCode</c> completes.</summary>
internal sealed record CorrectionBody(string? Name = null, string? BirthDate = null, string? Email = null, string? EmailCode = null) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        if (EmailCode is not null && Email is null)
        {
            check.Shape["email"] = ["is required with emailCode"];
        }
        else if (Name is null && BirthDate is null && Email is null)
        {
            check.Shape["$"] = ["must correct at least one of name, birthDate, email"];
        }

        return this with
        {
            Name = Name is null ? null : check.Text("name", Name),
            BirthDate = BirthDate is null ? null : check.BirthDate("birthDate", BirthDate),
            Email = Email is null ? null : check.Email("email", Email),
            EmailCode = EmailCode is null ? null : check.Code("emailCode", EmailCode),
        };
    }
}

/// <summary>Grants or withdraws consent.</summary>
internal sealed record ConsentBody(bool Granted);

/// <summary>Links a cluster the person runs: its id and the bootstrap id it reported; <c>region</c> if known.</summary>
internal sealed record ClusterLinkBody(string ClusterId, string BootstrapId, string? Region = null) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with
    {
        ClusterId = check.Uuid("clusterId", ClusterId),
        BootstrapId = check.Uuid("bootstrapId", BootstrapId),
        Region = Region is null ? null : check.Region("region", Region),
    };
}

/// <summary>Asks for a step-up code: a fresh code, sent to the account's address, that allows one irreversible <c>action</c> once.</summary>
internal sealed record StepUpBody(string Action) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        check.Require(StepUpActions.IsKnown(Action), "action", $"must be one of: {string.Join(", ", StepUpActions.All)}");
        return this;
    }
}

/// <summary>A step-up code is on its way to the account's address; send it in <c>header</c> with the action's request.</summary>
internal sealed record StepUpSent(string Action, string Header, string Message);

/// <summary>The answer to a code request; the same whether or not the address is known.</summary>
internal sealed record CodeRequested(string Message);

/// <summary>A verified session.</summary>
internal sealed record SessionToken(string UserId, string Token);

/// <summary>Everything held about a person, machine-readable (access and portability), and the mail relay our messages to them pass through.</summary>
internal sealed record PersonalDataExport(UserRecord Account, ImmutableArray<LinkedClusterData> Clusters, Sharing.MailRoute? Mail = null);

/// <summary>A linked cluster and everything held about it, from its own region.</summary>
internal sealed record LinkedClusterData(string ClusterId, string Region, DateTimeOffset LinkedAt, ClusterView? Data)
{
    /// <summary>Every cluster <paramref name="record"/> links, each read whole from its own region as the person may see it.</summary>
    public static async Task<ImmutableArray<LinkedClusterData>> ReadAllAsync(IGrainFactory grains, ClusterKeys clusterKeys, UserRecord record, string userKey) =>
        [.. await Task.WhenAll(record.Clusters.Select(async link =>
        {
            var cluster = grains.GetGrain<IClusterGrain>(clusterKeys.For(link.Region, link.ClusterId));
            var data = await cluster.GetForLinkAsync(userKey) is { } held
                ? await ClusterView.StreamAsync(held, after => cluster.ReadReportsForLinkAsync(userKey, after))
                : null;
            return new LinkedClusterData(link.ClusterId, link.Region, link.LinkedAt, data);
        }))];
}

/// <summary>The profile after a correction; <c>emailChange</c> is <c>unchanged</c>, <c>code-sent</c> or <c>changed</c>.</summary>
internal sealed record CorrectedProfile(UserProfile Profile, string EmailChange);

/// <summary>People's routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(SignUpBody))]
[JsonSerializable(typeof(SignInBody))]
[JsonSerializable(typeof(VerifyBody))]
[JsonSerializable(typeof(CorrectionBody))]
[JsonSerializable(typeof(ConsentBody))]
[JsonSerializable(typeof(ClusterLinkBody))]
[JsonSerializable(typeof(CodeRequested))]
[JsonSerializable(typeof(StepUpBody))]
[JsonSerializable(typeof(StepUpSent))]
[JsonSerializable(typeof(SessionToken))]
[JsonSerializable(typeof(FactorBody))]
[JsonSerializable(typeof(FactorEnrolled))]
[JsonSerializable(typeof(PersonalDataExport))]
[JsonSerializable(typeof(CorrectedProfile))]
[JsonSerializable(typeof(ConsentState))]
[JsonSerializable(typeof(LinkedCluster))]
[JsonSerializable(typeof(ImmutableArray<Notification>))]
[JsonSerializable(typeof(ErasureAccepted))]
internal sealed partial class UserJson : JsonSerializerContext;
