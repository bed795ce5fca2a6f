using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>What a sign-up came to: a code on its way (whether or not the address is known), or refused as under 13.</summary>
internal enum SignUpOutcome
{
    /// <summary>A code goes to the address if it can receive one; the same answer for a known address.</summary>
    CodeSent,

    /// <summary>Under 13: refused before anything was looked up, stored, sent or logged.</summary>
    UnderMinimumAge,
}

/// <summary>Sign-up, sign-in and code verification, for the routes and the Privacy Center alike.</summary>
internal sealed class AccountDesk(UserGrains users, IGrainFactory grains, TimeProvider time)
{
    /// <summary>Starts a checked sign-up in the region that already claims the address, else the one chosen.</summary>
    public async Task<SignUpOutcome> SignUpAsync(SignUpBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var birthDate = RequestCheck.ParseDate(body.BirthDate)!.Value;
        if (Age.IsUnderMinimum(birthDate, time.GetUtcNow()))
        {
            return SignUpOutcome.UnderMinimumAge;
        }

        var details = new SignUpDetails(body.Email, body.Name, birthDate);
        var region = await ClaimedRegionAsync(details.Email) ?? body.Region;
        await users.EmailIndex(region, details.Email).StartSignUpAsync(details);
        return SignUpOutcome.CodeSent;
    }

    /// <summary>The region whose index says an account claims <paramref name="email"/>, or <c>null</c>. Asks every region.</summary>
    public async Task<string?> ClaimedRegionAsync(string email)
    {
        var claims = await Task.WhenAll(users.Regions.Select(async region => (region, claimed: await users.EmailIndex(region, email).IsClaimedAsync())));
        return claims.FirstOrDefault(claim => claim.claimed).region;
    }

    /// <summary>Sends a code to the address if an account in any region has it; nothing says whether one does.</summary>
    public Task SignInAsync(SignInBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Task.WhenAll(users.Regions.Select(region => users.EmailIndex(region, body.Email).StartSignInAsync(body.Email)));
    }

    /// <summary>The account the code verifies (a sign-up's is created here), its sign-in recorded; <c>null</c> when the code does not hold.</summary>
    public async Task<string?> VerifyAsync(VerifyBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        foreach (var region in users.Regions)
        {
            if (await users.EmailIndex(region, body.Email).VerifyAsync(body.Code) is { } userId)
            {
                // The account's dormancy count starts again.
                await grains.GetGrain<IUserActivity>(users.UserKey(userId)).SignedInAsync();
                return userId;
            }
        }

        return null;
    }
}
