"""fund"""
