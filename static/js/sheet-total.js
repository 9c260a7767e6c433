// A score sheet's total, by the server's one rule (festival/judging/scoring.py, weighted_total):
// Σ points / max × weight, computed exactly and rounded half up to two decimals. Points have at
// most two decimals and weights three, so exact integer fractions (BigInt) are enough.
(function (exports) {
  "use strict";

  function scaled(text, places) {
    // "12.5" with places 2 → 1250n; null for anything that is not such a number.
    var match = /^(\d+)(?:[.,](\d+))?$/.exec(String(text).trim());
    if (!match || (match[2] || "").length > places) {
      return null;
    }
    return BigInt(match[1] + (match[2] || "").padEnd(places, "0"));
  }

  function gcd(a, b) {
    while (b) {
      var t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  // entries: [{points: "7.5", max: 10, weight: "40"}]; returns the total as "30", "30.5", "30.25",
  // or null when no entry has points.
  exports.weightedTotal = function (entries) {
    var num = 0n;
    var den = 1n;
    var any = false;
    entries.forEach(function (entry) {
      var points = scaled(entry.points, 2);
      var weight = scaled(entry.weight, 3);
      if (points === null || weight === null || !(Number(entry.max) > 0)) {
        return;
      }
      any = true;
      var termDen = BigInt(entry.max) * 100000n;
      num = num * termDen + points * weight * den;
      den = den * termDen;
      var divisor = gcd(num, den);
      num /= divisor;
      den /= divisor;
    });
    if (!any) {
      return null;
    }
    var hundredths = (num * 200n + den) / (2n * den); // floor(x × 100 + ½)
    var whole = (hundredths / 100n).toString();
    var cents = (hundredths % 100n).toString().padStart(2, "0").replace(/0+$/, "");
    return cents ? whole + "." + cents : whole;
  };
})(typeof module !== "undefined" ? module.exports : (window.sheetTotal = {}));
