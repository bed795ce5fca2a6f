namespace PrimeDirective.Grains.Users;

/// <summary>The policy's age line: we do not want personal information of anyone under 13.</summary>
public static class Age
{
    public const int Minimum = 13;

    public static bool IsUnderMinimum(DateOnly birthDate, DateTimeOffset now) =>
        birthDate.AddYears(Minimum) > DateOnly.FromDateTime(now.UtcDateTime);
}
