if True:
        x = 1
	y = 2

# expect stderr last line: TabError: inconsistent use of tabs and spaces in indentation
# expect exit: 1
