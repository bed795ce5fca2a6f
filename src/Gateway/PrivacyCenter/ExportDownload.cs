using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>
/// The export download of the Privacy Center: the same JSON as <c>GET /v1/me?download=1</c>, for the session's person.
/// A GET with a <c>SameSite=Strict</c> cookie: another site can link to it but never receives the file.
/// </summary>
internal static class ExportDownload
{
    public const string FileName = "prime-directive-my-data.json";

    public static async Task<Results<Ok<PersonalDataExport>, RedirectHttpResult>> GetAsync(
        HttpContext context, PrivacySessions sessions, UserGrains users, IGrainFactory grains, ClusterKeys clusterKeys, TransparencyDesk transparency)
    {
        if (await sessions.ReadAsync(context) is not { } session || await users.User(session.UserId).GetAsync() is not { } record)
        {
            return TypedResults.Redirect(PrivacyPaths.SignIn);
        }

        var userKey = users.UserKey(session.UserId);
        var clusters = await LinkedClusterData.ReadAllAsync(grains, clusterKeys, record, userKey);
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileName}\"";
        await transparency.CountAnsweredAsync(session.UserId, SubjectRequestKinds.Access);
        return TypedResults.Ok(new PersonalDataExport(record, clusters, await MailRoute.ForAsync(grains, users)));
    }
}
