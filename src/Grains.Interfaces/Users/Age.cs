namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>The policy's age line: we do not want personal information of anyone under 13.</summary>
public static class Age
{
    /// <summary>The minimum age, in years.</summary>
    public const int Minimum = 13;

    /// <summary>Whether someone born on <paramref name="birthDate"/> is under <see cref="Minimum"/> at <paramref name="now"/>.</summary>
    public static bool IsUnderMinimum(DateOnly birthDate, DateTimeOffset now) =>
        birthDate.AddYears(Minimum) > DateOnly.FromDateTime(now.UtcDateTime);
}
