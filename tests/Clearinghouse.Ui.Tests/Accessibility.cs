using Microsoft.Playwright;

namespace Clearinghouse.Ui.Tests;

/// <summary>Checks a rendered page the way an accessibility review would start: labels, landmarks, contrast, overflow.</summary>
internal static class Accessibility
{
    // Runs in the page: returns a list of problems (empty when none).
    private const string Audit = """
        () => {
          const problems = [];
          const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
          for (const field of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
            if (visible(field) && field.labels.length === 0 && !field.getAttribute('aria-label')) problems.push('unlabelled field ' + (field.name || field.id));
          }
          if (document.querySelectorAll('main').length !== 1) problems.push('expected one main landmark');
          if (!document.querySelector('header')) problems.push('no banner (header)');
          if (!document.querySelector('footer')) problems.push('no contentinfo (footer)');
          if (document.querySelectorAll('h1').length !== 1) problems.push('expected one h1');
          if (!document.documentElement.lang) problems.push('no lang on html');
          if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`horizontal overflow: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
          const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const background = e => { for (let n = e; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3); } return [255, 255, 255]; };
          for (const e of document.querySelectorAll('body *')) {
            if (!visible(e) || e.closest('.skip')) continue;
            const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length > 0);
            if (!text) continue;
            const fg = rgb(getComputedStyle(e).color).slice(0, 3), bg = background(e);
            const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
            const ratio = (a + 0.05) / (b + 0.05);
            if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)} < 4.5 for <${e.tagName.toLowerCase()} class="${e.className}">${e.textContent.trim().slice(0, 40)}`);
          }
          return problems;
        }
        """;

    public static async Task AssertAccessibleAsync(IPage page)
    {
        string[] problems = await page.EvaluateAsync<string[]>(Audit);
        Assert.True(problems.Length == 0, $"{page.Url}: " + string.Join("; ", problems));
    }
}
