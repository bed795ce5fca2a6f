namespace PrimeDirective.Gateway.Application;

/// <summary>
/// What a desk of the application layer answers: done with a value, or why not. Endpoints map it to
/// <c>TypedResults</c> (<see cref="Http.OutcomeResults"/>), pages to field errors; neither decides again.
/// </summary>
/// <typeparam name="T">What a done command yields.</typeparam>
internal abstract record Outcome<T>
{
    private protected Outcome()
    {
    }

    /// <summary>Done.</summary>
    public sealed record Done(T Value) : Outcome<T>;

    /// <summary>Nothing by that name is known here (or it is not the caller's: the same answer for both).</summary>
    /// <param name="What">What was looked for, as the problem names it (<c>subject</c>, <c>legal request</c>).</param>
    public sealed record Unknown(string What) : Outcome<T>;

    /// <summary>Not possible in the state the thing is in (409); nothing changed.</summary>
    /// <param name="Field">The form field it concerns.</param>
    /// <param name="Detail">Why, without any submitted value.</param>
    /// <param name="Title">The problem's title.</param>
    /// <param name="Type">The problem's type.</param>
    public sealed record Conflict(string Field, string Detail, string Title = "Not possible in the current state.", string Type = "conflict") : Outcome<T>;

    /// <summary>A value the rules refuse (422); nothing changed.</summary>
    /// <param name="Field">The field it concerns.</param>
    /// <param name="Detail">What is wrong with it, without the value.</param>
    public sealed record Invalid(string Field, string Detail) : Outcome<T>;

    /// <summary>An irreversible action refused for want of a fresh step-up code (403); nothing changed.</summary>
    /// <param name="Action">The step-up action whose code is needed.</param>
    /// <param name="Detail">What was missing or wrong, without the value.</param>
    public sealed record StepUpRequired(string Action, string Detail) : Outcome<T>;

    /// <summary>A disclosure refused because its basis does not hold now (409 naming the basis); nothing was sent or recorded.</summary>
    /// <param name="Basis">The basis that does not hold.</param>
    /// <param name="Condition">Its failed condition.</param>
    public sealed record BasisNotHeld(Grains.Interfaces.Sharing.DisclosureBasis Basis, string? Condition) : Outcome<T>;
}

/// <summary>Shorthands for outcomes.</summary>
internal static class Outcome
{
    public static Outcome<T> Done<T>(T value) => new Outcome<T>.Done(value);
}
