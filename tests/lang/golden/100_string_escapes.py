print("tab:\tend")
print("quote: \" and \'")
print("backslash: \\")
print("unicode: \u00e9 \x41")
print(r"raw: \n stays")
print("""triple
quoted""")
print(len("\n"), len(r"\n"))

# expect: tab:	end
# expect: quote: " and '
# expect: backslash: \
# expect: unicode: é A
# expect: raw: \n stays
# expect: triple
# expect: quoted
# expect: 1 2
