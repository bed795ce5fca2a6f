using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Html;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>
/// The policy's Markdown as HTML, for the policy page: headings, paragraphs, lists, emphasis, code and links, nothing else.
/// Every piece of text is HTML-encoded, so raw HTML in a version's text is shown as text and never becomes markup.
/// </summary>
internal static partial class PolicyMarkdown
{
    /// <summary>Renders <paramref name="markdown"/>, with its headings moved down by <paramref name="headingShift"/> levels (the page has its own <c>h1</c>).</summary>
    public static IHtmlContent Render(string markdown, int headingShift = 1)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var html = new StringBuilder();
        var paragraph = new List<string>();
        string? list = null;
        var item = new List<string>();

        foreach (var raw in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Trim().Length == 0)
            {
                FlushParagraph();
                FlushItem();
                continue;
            }

            if (Heading().Match(line) is { Success: true } heading)
            {
                FlushParagraph();
                FlushList();
                var level = Math.Min(heading.Groups[1].Length + headingShift, 6);
                html.Append("<h").Append(level).Append('>').Append(Inline(heading.Groups[2].Value)).Append("</h").Append(level).Append(">\n");
            }
            else if (ListItem().Match(line) is { Success: true } bullet)
            {
                FlushParagraph();
                var kind = char.IsAsciiDigit(bullet.Groups[1].Value[0]) ? "ol" : "ul";
                if (list != kind)
                {
                    FlushList();
                    html.Append('<').Append(kind).Append(">\n");
                    list = kind;
                }

                FlushItem();
                item.Add(bullet.Groups[2].Value);
            }
            else if (list is not null && (item.Count > 0 || raw.StartsWith(' ')))
            {
                // A continuation line of the item above (wrapped text).
                item.Add(line.Trim());
            }
            else
            {
                FlushList();
                paragraph.Add(line.Trim());
            }
        }

        FlushParagraph();
        FlushList();
        return new HtmlString(html.ToString());

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(Inline(string.Join(' ', paragraph))).Append("</p>\n");
                paragraph.Clear();
            }
        }

        void FlushItem()
        {
            if (item.Count > 0)
            {
                html.Append("<li>").Append(Inline(string.Join(' ', item))).Append("</li>\n");
                item.Clear();
            }
        }

        void FlushList()
        {
            FlushItem();
            if (list is not null)
            {
                html.Append("</").Append(list).Append(">\n");
                list = null;
            }
        }
    }

    /// <summary>Inline Markdown: the text is encoded first, then only our own tags are added around encoded pieces.</summary>
    private static string Inline(string text)
    {
        var encoded = new StringBuilder();
        var at = 0;
        foreach (Match match in InlineToken().Matches(text))
        {
            encoded.Append(Encode(text[at..match.Index]));
            if (match.Groups["code"].Success)
            {
                encoded.Append("<code>").Append(Encode(match.Groups["code"].Value)).Append("</code>");
            }
            else if (match.Groups["strong"].Success)
            {
                encoded.Append("<strong>").Append(Encode(match.Groups["strong"].Value)).Append("</strong>");
            }
            else if (match.Groups["em"].Success || match.Groups["em2"].Success)
            {
                var inner = match.Groups["em"].Success ? match.Groups["em"].Value : match.Groups["em2"].Value;
                encoded.Append("<em>").Append(Encode(inner)).Append("</em>");
            }
            else
            {
                var href = match.Groups["href"].Value;
                // Only web and in-site addresses become links: javascript:, data: and the like stay text.
                encoded.Append(SafeHref(href)
                    ? $"<a href=\"{HtmlEncoder.Default.Encode(href)}\">{Encode(match.Groups["label"].Value)}</a>"
                    : Encode(match.Value));
            }

            at = match.Index + match.Length;
        }

        return encoded.Append(Encode(text[at..])).ToString();
    }

    private static bool SafeHref(string href) =>
        (href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal)) ||
        (Uri.TryCreate(href, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeMailto));

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    [GeneratedRegex(@"^(#{1,6})\s+(.+?)\s*#*\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s{0,3}([-*+]|\d{1,3}[.)])\s+(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"`(?<code>[^`]+)`|\*\*(?<strong>[^*]+)\*\*|\*(?<em>[^*\s][^*]*)\*|(?<![\w])_(?<em2>[^_\s][^_]*)_(?![\w])|\[(?<label>[^\]]+)\]\((?<href>[^)\s]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex InlineToken();
}
