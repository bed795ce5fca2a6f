using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Regions;

namespace PrimeDirective.Grains.Tests.Http;

/// <summary>
/// The value rules every request body shares: what each accepts and how it normalises it, what it refuses, and that a
/// refusal names the field and never echoes the value.
/// </summary>
public sealed class RequestCheckTests
{
    private static readonly DateTimeOffset s_now = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("ada@example.org", "ada@example.org")]
    [InlineData("  Ada.Lovelace@Example.ORG ", "ada.lovelace@example.org")]
    [InlineData("a+tag@mail.example.co.uk", "a+tag@mail.example.co.uk")]
    public void An_email_address_is_trimmed_and_lower_cased(string text, string normalised)
    {
        var check = NewCheck();

        Assert.Equal(normalised, check.Email("email", text));
        Assert.Empty(check.Values);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("no-at-sign.example.org")]
    [InlineData("two@@example.org")]
    [InlineData("a@b@example.org")]
    [InlineData("Ada <ada@example.org>")]
    [InlineData("ada@localhost")]
    [InlineData("ada@exa\u0007mple.org")]
    [InlineData("ada@example.org, bob@example.org")]
    public void What_is_not_one_plain_address_is_refused_naming_the_field_only(string text)
    {
        var check = NewCheck();

        check.Email("email", text);

        var problem = Assert.Single(check.Values);
        Assert.Equal("email", problem.Key);
        AssertNoEcho(problem.Value, text);
    }

    [Fact]
    public void An_address_longer_than_254_characters_is_refused()
    {
        var check = NewCheck();
        var local = new string('a', 64);
        var text = $"{local}@{new string('b', 250 - local.Length)}.org";

        check.Email("email", text);

        Assert.True(text.Length > RequestCheck.MaxEmailLength);
        Assert.Contains("email", check.Values.Keys);
    }

    [Theory]
    [InlineData("Ada", "Ada")]
    [InlineData("  Ada Lovelace  ", "Ada Lovelace")]
    [InlineData("Zoë Ångström-Ñúñez", "Zoë Ångström-Ñúñez")]
    public void Free_text_is_trimmed(string text, string normalised)
    {
        var check = NewCheck();

        Assert.Equal(normalised, check.Text("name", text));
        Assert.Empty(check.Values);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("Ada\nLovelace")]
    [InlineData("Ada\u0000")]
    [InlineData("Ada\u001b[31m")]
    public void Empty_text_or_text_with_control_characters_is_refused(string text)
    {
        var check = NewCheck();

        check.Text("name", text);

        var problem = Assert.Single(check.Values);
        Assert.Equal("name", problem.Key);
        AssertNoEcho(problem.Value, text);
    }

    [Fact]
    public void Text_is_refused_over_its_maximum_and_accepted_at_it()
    {
        var (atMost, over) = (NewCheck(), NewCheck());

        atMost.Text("reason", new string('x', 500), maxLength: 500);
        over.Text("reason", new string('x', 501), maxLength: 500);
        NewCheck().Text("name", new string('x', RequestCheck.MaxNameLength));

        Assert.Empty(atMost.Values);
        Assert.Equal(["reason"], over.Values.Keys);
    }

    [Theory]
    [InlineData("1990-05-17")]
    [InlineData("1900-01-01")]
    [InlineData("2027-03-01")]
    public void A_birth_date_between_1900_and_today_is_accepted(string text)
    {
        var check = NewCheck();

        Assert.Equal(text, check.BirthDate("birthDate", text));
        Assert.Empty(check.Values);
    }

    [Theory]
    [InlineData("2027-03-02")]
    [InlineData("1899-12-31")]
    [InlineData("17/05/1990")]
    [InlineData("1990-5-17")]
    [InlineData("1990-02-30")]
    [InlineData("")]
    [InlineData("1990-05-17T00:00:00Z")]
    public void A_birth_date_in_the_future_before_1900_or_not_yyyy_MM_dd_is_refused(string text)
    {
        var check = NewCheck();

        check.BirthDate("birthDate", text);

        Assert.Equal(["birthDate"], check.Values.Keys);
    }

    [Theory]
    [InlineData("12345678", true)]
    [InlineData("00000000", true)]
    [InlineData("1234567", false)]
    [InlineData("123456789", false)]
    [InlineData("1234567a", false)]
    [InlineData("１２３４５６７８", false)]
    [InlineData("", false)]
    public void A_code_is_eight_ascii_digits(string text, bool accepted)
    {
        var check = NewCheck();

        check.Code("code", text);

        Assert.Equal(accepted, check.Values.Count == 0);
    }

    [Theory]
    [InlineData("eu", true)]
    [InlineData("us", true)]
    [InlineData("ap", true)]
    [InlineData("EU", false)]
    [InlineData("mars", false)]
    [InlineData("", false)]
    public void A_region_must_be_one_the_service_stores_data_in(string text, bool accepted)
    {
        var check = NewCheck();

        check.Region("region", text);

        Assert.Equal(accepted, check.Values.Count == 0);
    }

    [Fact]
    public void Regions_are_the_configured_ones_not_the_defaults_when_configured()
    {
        var check = new RequestCheck(s_now, new RegionOptions { Names = ["eu", "ch"] });

        check.Region("a", "ch");
        check.Region("b", "us");

        Assert.Equal(["b"], check.Values.Keys);
    }

    [Theory]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public void A_uuid_is_put_in_its_canonical_lower_case_form(string text, string canonical)
    {
        var check = NewCheck();

        Assert.Equal(canonical, check.Uuid("clusterId", text));
        Assert.Empty(check.Values);
    }

    [Theory]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301")]
    [InlineData("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c330")]
    [InlineData("not-a-uuid")]
    [InlineData("")]
    public void Anything_but_a_hyphenated_uuid_is_refused(string text)
    {
        var check = NewCheck();

        check.Uuid("clusterId", text);

        Assert.Equal(["clusterId"], check.Values.Keys);
        Assert.Null(Identifiers.Uuid(text));
    }

    [Theory]
    [InlineData("v20261207.0", true)]
    [InlineData("dev", true)]
    [InlineData("", false)]
    [InlineData("v1 beta", false)]
    [InlineData("v1\t", false)]
    [InlineData("vé", false)]
    public void A_version_label_is_short_printable_ascii(string text, bool accepted) =>
        Assert.Equal(accepted, Identifiers.IsVersion(text));

    [Fact]
    public void A_version_label_of_65_characters_is_refused_and_64_accepted()
    {
        Assert.True(Identifiers.IsVersion(new string('v', Identifiers.MaxVersionLength)));
        Assert.False(Identifiers.IsVersion(new string('v', Identifiers.MaxVersionLength + 1)));
    }

    [Fact]
    public void Problems_of_several_fields_are_all_reported_and_a_later_one_does_not_hide_an_earlier()
    {
        var check = NewCheck();

        check.Email("email", "nope");
        check.Text("name", "");
        check.Region("region", "mars");

        Assert.Equal(["email", "name", "region"], check.Values.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(check.Shape);
    }

    private static RequestCheck NewCheck() => new(s_now, new RegionOptions());

    private static void AssertNoEcho(string[] problems, string value)
    {
        if (value.Trim().Length > 2)
        {
            Assert.All(problems, problem => Assert.DoesNotContain(value.Trim(), problem, StringComparison.Ordinal));
        }
    }
}
