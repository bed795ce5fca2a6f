using PrimeDirective.Grains.Outbox;

namespace PrimeDirective.Grains.Users;

/// <summary>The texts of the messages we send people. Codes are the only secrets in them.</summary>
internal static class Messages
{
    public static OutboxMessage SignUpCode(string email, string name, string code, TimeSpan lifetime) => new(
        email, name, "Your Prime Directive sign-up code",
        $"""
        Hello,

        Someone (we hope you) asked to create a Prime Directive account with this address.
        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes. If it was not you, ignore this message: nothing is kept.
        """);

    public static OutboxMessage SignInCode(string email, string code, TimeSpan lifetime) => new(
        email, null, "Your Prime Directive sign-in code",
        $"""
        Hello,

        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes. If you did not ask to sign in, ignore this message.
        """);

    public static OutboxMessage SignUpForKnownAddress(string email) => new(
        email, null, "Someone tried to sign up with your address",
        """
        Hello,

        Someone asked to create a Prime Directive account with this address, which already has one. Nothing was created.
        To sign in, ask for a sign-in code instead.
        """);

    public static OutboxMessage EmailChangeCode(string email, string code, TimeSpan lifetime) => new(
        email, null, "Confirm your new Prime Directive address",
        $"""
        Hello,

        Someone (we hope you) asked to move a Prime Directive account to this address.
        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes. If it was not you, ignore this message.
        """);

    public static OutboxMessage StepUpCode(string email, string code, TimeSpan lifetime) => new(
        email, null, "Your code to erase your Prime Directive account",
        $"""
        Hello,

        Someone signed in to your account asked to erase it, with every cluster it links. This cannot be undone.
        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes, and only to erase this account. If you did not ask for it,
        ignore this message: nothing changes, and you may want to sign out everywhere.
        """);

    public static OutboxMessage OpenDsrConfirmationCode(string email, string controllerName, string confirmUrl, string code, TimeSpan lifetime) => new(
        email, null, "Confirm or ignore a request to erase your Prime Directive account",
        $"""
        Hello,

        {controllerName} asked us, through OpenDSR, to erase the Prime Directive account of this address.
        We do nothing on their word alone. To have your account and everything we hold about you erased, enter
        your address and this code at {confirmUrl}
        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes. If you do not want this, ignore this message: nothing changes.
        """);

    public static OutboxMessage OpenDsrReleaseCode(string email, string controllerName, string confirmUrl, string code, TimeSpan lifetime) => new(
        email, null, "Confirm or ignore a request for a copy of your Prime Directive data",
        $"""
        Hello,

        {controllerName} asked us, through OpenDSR, for a copy of everything we hold about the Prime Directive account of
        this address. We give them nothing on their word alone. To let them fetch a copy (for a limited time; each fetch is
        listed in your Privacy Center), enter your address and this code at {confirmUrl}
        Your code: {code}
        It works once, for {lifetime.TotalMinutes:0} minutes. If you do not want this, ignore this message: nothing is released.
        """);

    public static OutboxMessage EmailChangeToKnownAddress(string email) => new(
        email, null, "Someone tried to move an account to your address",
        """
        Hello,

        Someone asked to move a Prime Directive account to this address, which already has one. Nothing changed.
        """);

    public static OutboxMessage LegalRequest(string email, string name, string title, string text) => new(
        email, name, title,
        $"""
        Hello {name},

        {text}

        This notice is also in your account, under your notifications.
        """);

    public static OutboxMessage DormantAccountWarning(string email, string name, DateTimeOffset lastSignIn, DateTimeOffset eraseAt) => new(
        email, name, "Your Prime Directive account will be erased unless you sign in",
        $"""
        Hello {name},

        Nobody has signed in to your Prime Directive account since {lastSignIn.UtcDateTime:yyyy-MM-dd}. We do not keep
        accounts nobody uses: unless you sign in before {eraseAt.UtcDateTime:yyyy-MM-dd}, we will erase the account and
        everything we hold about you. To keep it, just sign in; nothing else is needed.
        """);

    public static OutboxMessage ChildRemovalReceived(string email, string name, string requestId) => new(
        email, name, "We received your request to remove a child's data",
        $"""
        Hello {name},

        We received your request {requestId}. A privacy officer will review it, and we will write to you when it is decided.
        """);

    public static OutboxMessage ChildRemovalExpired(string email, string name, string requestId) => new(
        email, name, "Your request to remove a child's data expired",
        $"""
        Hello {name},

        Your request {requestId} was not decided in time, so it has expired, and the details you gave us (your name, this
        address and your statement) are destroyed with it. We are sorry. You may write to us again at any time.
        """);

    public static OutboxMessage ChildRemovalAwaitingReview(string mailbox, string requestId, DateTimeOffset submittedAt, DateTimeOffset expiresAt) => new(
        mailbox, null, "A child-removal request is waiting for review",
        $"""
        Hello,

        Child-removal request {requestId} has been waiting for a decision since {submittedAt.UtcDateTime:yyyy-MM-dd}.
        Unless it is decided before {expiresAt.UtcDateTime:yyyy-MM-dd}, it expires: the parent is told, and their details
        are destroyed. Decide it in the officer console, under child-removal review.
        """);

    public static OutboxMessage ChildRemovalDecided(string email, string name, string requestId, bool approved, string? reason) => new(
        email, name, approved ? "The child's data has been removed" : "Your request to remove a child's data was declined",
        approved
            ? $"""
              Hello {name},

              Your request {requestId} was approved. Any data we held under the address you gave us has been erased.
              """
            : $"""
              Hello {name},

              Your request {requestId} was declined. {reason ?? "A privacy officer could not confirm it."}
              You may write to us again with more information.
              """);
}
