using System.Globalization;
using System.Numerics;
using System.Text;

namespace Clearinghouse.Hashing.Vpdq;

/// <summary>
/// Decimal formatting of a double from its exact binary value, rounding half to even, as C's <c>printf</c> (glibc)
/// and Python's <c>format</c> do. .NET's own formatting is not specified to round the exact value the same way, and
/// a timestamp printed one digit off would make a line differ from the reference's.
/// </summary>
internal static class ExactDecimal
{
    /// <summary>Like C's <c>printf("%.{decimals}f", value)</c> (and C++ <c>std::fixed</c> with that precision).</summary>
    public static string Fixed(double value, int decimals)
    {
        var (digits, scale) = Exact(value);
        var scaled = scale <= decimals
            ? digits * BigInteger.Pow(10, decimals - scale)
            : RoundHalfEven(digits, scale - decimals);
        string text = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(decimals + 1, '0');
        var result = new StringBuilder(text.Length + 2);
        if (value < 0 || (value == 0 && double.IsNegative(value)))
        {
            result.Append('-');
        }

        result.Append(text, 0, text.Length - decimals);
        if (decimals > 0)
        {
            result.Append('.').Append(text, text.Length - decimals, decimals);
        }

        return result.ToString();
    }

    /// <summary>
    /// Like Python's <c>format(value, ".{precision}")</c> (no presentation type): <paramref name="precision"/>
    /// significant digits, trailing zeros dropped, at least one digit after the point in fixed notation, and
    /// scientific notation (<c>1.23e+02</c>) when the decimal exponent is below -4 or at least precision - 1.
    /// </summary>
    public static string PythonGeneral(double value, int precision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, 1);
        var (digits, scale) = Exact(value);
        string sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : string.Empty;
        if (digits.IsZero)
        {
            return sign + "0.0";
        }

        // Round to `precision` significant digits: value = rounded × 10^(-scale).
        int length = digits.ToString(CultureInfo.InvariantCulture).Length;
        if (length > precision)
        {
            digits = RoundHalfEven(digits, length - precision);
            scale -= length - precision;
        }

        string text = digits.ToString(CultureInfo.InvariantCulture);
        int exponent = text.Length - 1 - scale;
        string significant = text.TrimEnd('0');
        if (significant.Length == 0)
        {
            significant = "0";
        }

        if (exponent < -4 || exponent >= precision - 1)
        {
            var e = new StringBuilder(sign).Append(significant[0]);
            if (significant.Length > 1)
            {
                e.Append('.').Append(significant, 1, significant.Length - 1);
            }

            return e.Append('e').Append(exponent < 0 ? '-' : '+')
                .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)).ToString();
        }

        var f = new StringBuilder(sign);
        if (exponent < 0)
        {
            f.Append("0.").Append('0', -exponent - 1).Append(significant);
        }
        else
        {
            string integer = significant.Length > exponent + 1 ? significant[..(exponent + 1)] : significant.PadRight(exponent + 1, '0');
            string fraction = significant.Length > exponent + 1 ? significant[(exponent + 1)..] : "0";
            f.Append(integer).Append('.').Append(fraction);
        }

        return f.ToString();
    }

    /// <summary>|value| = digits × 10^(-scale) exactly.</summary>
    private static (BigInteger Digits, int Scale) Exact(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite values can be formatted.");
        }

        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int biased = (int)(bits >> 52);
        long fraction = bits & ((1L << 52) - 1);
        long mantissa = biased == 0 ? fraction : fraction | (1L << 52);
        int exponent = (biased == 0 ? 1 : biased) - 1075;
        if (exponent >= 0)
        {
            return (new BigInteger(mantissa) << exponent, 0);
        }

        // m × 2^e = m × 5^(-e) / 10^(-e).
        return (mantissa * BigInteger.Pow(5, -exponent), -exponent);
    }

    /// <summary><paramref name="value"/> / 10^<paramref name="drop"/>, rounded half to even.</summary>
    private static BigInteger RoundHalfEven(BigInteger value, int drop)
    {
        var divisor = BigInteger.Pow(10, drop);
        var quotient = BigInteger.DivRem(value, divisor, out var remainder);
        int compare = (remainder * 2).CompareTo(divisor);
        return compare > 0 || (compare == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
    }
}
