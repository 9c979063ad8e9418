import asyncio

def not_async():
    await asyncio.sleep(1)

# expect stderr last line: SyntaxError: 'await' outside async function
# expect exit: 1
